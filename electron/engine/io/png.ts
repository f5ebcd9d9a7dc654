import sharp from 'sharp';
import type { Channels } from '../../../shared/datasets.ts';
import { writeFileAtomic } from './atomic-write.ts';

export interface RawImage {
  /** height * width * channels bytes, row-major, channels interleaved. */
  data: Uint8Array;
  height: number;
  width: number;
  channels: Channels;
}

/** Encodes 8-bit pixels as a PNG (lossless, so a saved distortion is exactly the bytes the engine made). */
export async function encodePng(image: RawImage): Promise<Buffer> {
  const { data, height, width, channels } = image;
  if (data.length !== height * width * channels) {
    throw new Error(`PNG encode: ${data.length} bytes do not make a ${height}x${width}x${channels} image`);
  }
  const raw = sharp(data, { raw: { width, height, channels } });
  // sharp writes one-channel input as RGB unless told the colour space is grey.
  return (channels === 1 ? raw.toColourspace('b-w') : raw)
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

/** Writes a PNG under a temporary name and renames it, so an interrupted run leaves no partial file. */
export async function writePng(file: string, image: RawImage): Promise<void> {
  await writeFileAtomic(file, await encodePng(image));
}
