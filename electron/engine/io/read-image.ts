import sharp from 'sharp';
import type { Channels } from '../../../shared/datasets.ts';
import { MAX_IMAGE_PIXELS } from '../data/image-folder.ts';
import type { RawImage } from './png.ts';

/**
 * Decodes one image file to 8-bit pixels at its own size, as grayscale or RGB (alpha dropped): the file's own
 * colour type unless `channels` asks for a conversion. Errors name the file. (Dataset folders decode through
 * data/image-folder.ts, which also resizes and crops; this is for a single file taken as it is.)
 */
export async function readImageFile(file: string, channels?: Channels): Promise<RawImage> {
  try {
    const input = sharp(file, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' });
    const meta = await input.metadata();
    const wanted: Channels = channels ?? ((meta.channels ?? 3) <= 2 ? 1 : 3);
    const pipeline = wanted === 1 ? input.greyscale() : input.removeAlpha().toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== wanted) throw new Error(`decoded ${info.channels} channels, expected ${wanted}`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      height: info.height,
      width: info.width,
      channels: wanted,
    };
  } catch (error) {
    throw new Error(
      `${file}: cannot decode image (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
