import sharp from 'sharp';
import type { Channels } from '../../../shared/datasets.ts';
import { imageProblem, MAX_IMAGE_PIXELS } from '../data/image-folder.ts';
import { FileProblemError } from './file-error.ts';
import type { RawImage } from './png.ts';

/**
 * Decodes one image file to 8-bit pixels at its own size, as grayscale or RGB (alpha dropped): the file's own
 * colour type unless `channels` asks for a conversion; 16-bit files are brought to 8 bits. Errors are
 * FileProblemErrors naming the file and saying what is wrong in words (empty, truncated, too large...).
 * (Dataset folders decode through data/image-folder.ts, which also resizes and crops; this is for a single file
 * taken as it is.)
 */
export async function readImageFile(file: string, channels?: Channels): Promise<RawImage> {
  try {
    const input = sharp(file, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' });
    const meta = await input.metadata();
    const wanted: Channels = channels ?? ((meta.channels ?? 3) <= 2 ? 1 : 3);
    const pipeline = wanted === 1 ? input.greyscale() : input.removeAlpha().toColourspace('srgb');
    // Without an explicit depth a 16-bit PNG comes out as 16-bit samples, twice the bytes RawImage promises.
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== wanted) throw new Error(`decoded ${info.channels} channels, expected ${wanted}`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      height: info.height,
      width: info.width,
      channels: wanted,
    };
  } catch (error) {
    // sharp's own message can be "Unknown error" (libvips shares its error buffer between decodes), so the
    // problem is worked out from the file again, as for dataset folders.
    throw new FileProblemError(file, await imageProblem(file, error, false), { cause: error });
  }
}
