/**
 * Writes the bad-input corpus's binary files (tests/corpus/<category>/...). Run once, by hand, and commit what it
 * writes: the corpus is a set of fixed files, like Netron's, so a change to the engine is tested against the
 * same bytes every time, and a new case is a new file rather than new generator code (see README.md).
 *
 *   npx tsx tests/corpus/make-corpus.ts
 *
 * Files that are easier to write by hand (the bridge's JSON messages, cases.json) are not written here.
 * Everything written is deterministic except the tiny model's initial weights, which only have to be finite.
 */
import { copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { encodeFrame } from '../../shared/bridge/codec.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { saveModel } from '../../electron/engine/models/model-io.ts';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
/** The folders this script owns; the hand-written files (bridge/*.json) live beside them and are kept. */
const GENERATED = ['image', 'idx', 'cifar', 'folder-dataset', 'model'];

/** A frame with the value `v` (JSON text) and one blob of `blob`'s bytes (none when empty), header as written. */
function rawFrame(v: string, blob: number[]): Buffer {
  const header = Buffer.from(`{"v":${v},"b":[${blob.length === 0 ? '' : blob.length}]}`);
  const out = Buffer.alloc(4 + header.length + blob.length);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  Buffer.from(blob).copy(out, 4 + header.length);
  return out;
}

async function put(rel: string, data: Uint8Array | string): Promise<void> {
  const file = path.join(ROOT, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
}

// ---------------------------------------------------------------------------------------------------------
// PNG by hand: sharp refuses to write a PNG that lies about its size, so the hostile ones are assembled here.
// ---------------------------------------------------------------------------------------------------------

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A greyscale 8-bit PNG whose header declares width x height but whose IDAT holds one row. */
function lyingPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(17))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// IDX and CIFAR
// ---------------------------------------------------------------------------------------------------------

function idxImages(count: number, height: number, width: number, pixels = count * height * width): Buffer {
  const out = Buffer.alloc(16 + pixels);
  out.writeUInt32BE(0x00000803, 0);
  out.writeUInt32BE(count, 4);
  out.writeUInt32BE(height, 8);
  out.writeUInt32BE(width, 12);
  for (let i = 0; i < pixels; i++) out[16 + i] = (i * 37) % 256;
  return out;
}

function idxLabels(labels: number[]): Buffer {
  const out = Buffer.alloc(8 + labels.length);
  out.writeUInt32BE(0x00000801, 0);
  out.writeUInt32BE(labels.length, 4);
  labels.forEach((l, i) => (out[8 + i] = l));
  return out;
}

const IMAGES = 'train-images-idx3-ubyte';
const LABELS = 'train-labels-idx1-ubyte';

async function idxPair(dir: string, images: Uint8Array, labels: Uint8Array, gz = false): Promise<void> {
  await put(`idx/${dir}/${IMAGES}${gz ? '.gz' : ''}`, images);
  await put(`idx/${dir}/${LABELS}`, labels);
}

/** CIFAR-10 records: a label byte, then 32x32 planes of R, G and B. */
function cifarRecords(labels: number[]): Buffer {
  const out = Buffer.alloc(labels.length * 3073);
  labels.forEach((label, r) => {
    out[r * 3073] = label;
    for (let i = 1; i < 3073; i++) out[r * 3073 + i] = (i * 7 + r) % 256;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The tiny model and its broken copies
// ---------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

async function modelVariant(
  name: string,
  edit: { json?: (json: Json) => void; weights?: (bytes: Buffer) => Buffer; meta?: (meta: Json) => void },
): Promise<void> {
  const from = path.join(ROOT, 'model/valid');
  const to = path.join(ROOT, 'model', name);
  await mkdir(to, { recursive: true });
  const json = JSON.parse(await readFile(path.join(from, 'model.json'), 'utf8')) as Json;
  edit.json?.(json);
  await writeFile(path.join(to, 'model.json'), JSON.stringify(json));
  const weights = await readFile(path.join(from, 'weights.bin'));
  await writeFile(path.join(to, 'weights.bin'), edit.weights?.(weights) ?? weights);
  const meta = JSON.parse(await readFile(path.join(from, 'deepcorrect.json'), 'utf8')) as Json;
  edit.meta?.(meta);
  await writeFile(path.join(to, 'deepcorrect.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

/** The first weight group of a model.json (saveModel writes one). */
function group(json: Json): { paths: string[]; weights: Json[] } {
  return (json.weightsManifest as { paths: string[]; weights: Json[] }[])[0] as {
    paths: string[];
    weights: Json[];
  };
}

function setFloat(bytes: Buffer, index: number, value: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeFloatLE(value, index * 4);
  return out;
}

async function makeModels(): Promise<void> {
  await selectBackend({ forced: 'cpu' });
  // 4x4x1 -> 2 classes: 34 weights, 136 bytes, the smallest model the engine accepts as an image classifier.
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [4, 4, 1], name: 'flatten' }),
      tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: 'glorotUniform' }),
    ],
  });
  await saveModel(model, path.join(ROOT, 'model/valid'), {
    format: 'deepcorrect-model',
    version: 1,
    arch: 'corpus-dense',
    inputShape: [4, 4, 1],
    classes: ['a', 'b'],
    normalisation: { kind: 'unit' },
    parameters: model.countParams(),
    convLayers: [],
  });
  model.dispose();

  await modelVariant('path-traversal', { json: (j) => void (group(j).paths = ['../../etc/passwd']) });
  await modelVariant('absolute-path', { json: (j) => void (group(j).paths = ['/etc/passwd']) });
  await modelVariant('weights-short', { weights: (b) => b.subarray(0, 100) });
  await modelVariant('weights-long', { weights: (b) => Buffer.concat([b, Buffer.alloc(8)]) });
  await modelVariant('nan-weights', { weights: (b) => setFloat(b, 3, Number.NaN) });
  await modelVariant('inf-weights', { weights: (b) => setFloat(b, 33, Number.POSITIVE_INFINITY) });
  await modelVariant('int32-dtype', {
    json: (j) => void ((group(j).weights[0] as Json).dtype = 'int32'),
  });
  await modelVariant('huge-shape', {
    json: (j) => void ((group(j).weights[0] as Json).shape = [100000, 100000]),
  });
  // The manifest is honest, but the topology asks for a 100000x100000 input: its Dense kernel would hold 2e10
  // floats if built, so the loader must refuse it from the declared shapes.
  await modelVariant('huge-input', {
    json: (j) => {
      const topology = j.modelTopology as { config: { layers: { config: Json }[] } };
      const first = topology.config.layers[0] as { config: Json };
      first.config.batch_input_shape = [null, 100000, 100000, 1];
    },
  });
  await modelVariant('classes-mismatch', { meta: (m) => void (m.classes = ['a', 'b', 'c']) });
  await modelVariant('symlink-outside', {});
  await rm(path.join(ROOT, 'model/symlink-outside/weights.bin'));
  // A relative link, so it survives a checkout anywhere; git stores it as a link.
  await symlink('../valid/weights.bin', path.join(ROOT, 'model/symlink-outside/weights.bin'));
  await mkdir(path.join(ROOT, 'model/not-json'), { recursive: true });
  await writeFile(path.join(ROOT, 'model/not-json/model.json'), '<html>this is not a model</html>\n');
  await copyFile(path.join(ROOT, 'model/valid/weights.bin'), path.join(ROOT, 'model/not-json/weights.bin'));
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  for (const dir of GENERATED) await rm(path.join(ROOT, dir), { recursive: true, force: true });

  // Images.
  // Noisy pixels, so the compressed data is long and the first 100 bytes really cut it short.
  const noise = Buffer.from(Array.from({ length: 24 * 16 * 3 }, (_, i) => (i * 7919) % 251));
  const rgb = await sharp(noise, { raw: { width: 24, height: 16, channels: 3 } })
    .png()
    .toBuffer();
  const jpeg = await sharp(noise, { raw: { width: 24, height: 16, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  await put(
    'image/valid-1x1.png',
    await sharp(Buffer.from([128]), { raw: { width: 1, height: 1, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer(),
  );
  await put('image/zero-byte.png', new Uint8Array(0));
  await put('image/truncated.png', rgb.subarray(0, 100));
  const badCrc = Buffer.from(rgb);
  badCrc[29] = (badCrc[29] as number) ^ 0xff; // the IHDR CRC's first byte (8 signature + 8 + 13 data)
  await put('image/bad-ihdr-crc.png', badCrc);
  await put('image/truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await put('image/text.png', 'This is a text file that was given a .png name.\n');
  await put('image/huge-dimensions.png', lyingPng(100000, 100000));
  await put(
    'image/valid-16bit.png',
    // 40000 of 65535: 155 once brought to 8 bits.
    await sharp(new Uint16Array(6 * 4).fill(40000), { raw: { width: 6, height: 4, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer(),
  );
  await put('image/valid-palette.png', await sharp(rgb).png({ palette: true, colours: 4 }).toBuffer());

  // An image folder with one bad image among good ones.
  for (const [cls, n] of [
    ['cat', 2],
    ['dog', 2],
  ] as const)
    for (let i = 0; i < n; i++)
      await put(
        `folder-dataset/one-bad/${cls}/${i}.png`,
        await sharp({
          create: { width: 8, height: 8, channels: 3, background: { r: 40 * i, g: 90, b: 200 } },
        })
          .png()
          .toBuffer(),
      );
  await put('folder-dataset/one-bad/dog/broken.png', rgb.subarray(0, 100));
  // A folder whose first image claims 100000x100000: its size must not become the dataset's image size.
  await put('folder-dataset/huge-first/cat/0.png', lyingPng(100000, 100000));
  await put('folder-dataset/huge-first/cat/1.png', rgb);

  // IDX.
  await idxPair('valid', idxImages(3, 4, 4), idxLabels([0, 1, 2]));
  const wrongMagic = idxImages(3, 4, 4);
  wrongMagic.writeUInt32BE(0x00000d03, 0); // 0x0d: float32 data, which the engine does not read
  await idxPair('wrong-magic', wrongMagic, idxLabels([0, 1, 2]));
  await idxPair('count-mismatch', idxImages(3, 4, 4), idxLabels([0, 1]));
  await idxPair('truncated', idxImages(3, 4, 4, 20), idxLabels([0, 1, 2]));
  await idxPair('zero-images', idxImages(0, 4, 4), idxLabels([]));
  await idxPair('label-out-of-range', idxImages(3, 4, 4), idxLabels([0, 200, 1]));
  await put(
    'idx/label-out-of-range/classes.txt',
    `${Array.from({ length: 10 }, (_, i) => `digit${i}`).join('\n')}\n`,
  );
  const gz = gzipSync(idxImages(3, 4, 4));
  const corrupt = Buffer.from(gz);
  for (let i = 12; i < corrupt.length - 8; i++) corrupt[i] = 0xff; // the deflate data, header and trailer kept
  await idxPair('corrupt-gz', corrupt, idxLabels([0, 1, 2]), true);

  // CIFAR-10.
  await put('cifar/valid/data_batch_1.bin', cifarRecords([3, 7]));
  await put('cifar/wrong-length/data_batch_1.bin', cifarRecords([3, 7]).subarray(0, 3073 + 1000));
  await put('cifar/empty/data_batch_1.bin', new Uint8Array(0));
  await put('cifar/label-out-of-range/data_batch_1.bin', cifarRecords([3, 10]));

  // A valid bridge frame (the JSON messages next to it are hand-written).
  await put(
    'bridge/valid-frame.bin',
    encodeFrame({ kind: 'request', id: 7, name: 'dataset.open', input: { path: 'tests/corpus/idx/valid' } }),
  );
  await put(
    'bridge/blob-past-end.bin',
    (() => {
      const header = Buffer.from(
        '{"v":{"kind":"request","id":1,"name":"engine.info","input":{"$bytes":0}},"b":[100000]}',
      );
      const out = Buffer.alloc(4 + header.length + 10);
      out.writeUInt32LE(header.length, 0);
      header.copy(out, 4);
      return out;
    })(),
  );
  await put('bridge/not-a-frame.bin', 'GET /bridge HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const deep = 10_000;
  const nested = `${'['.repeat(deep)}${']'.repeat(deep)}`;
  await put(
    'bridge/deep-nesting.json',
    `{"kind":"request","id":3,"name":"dataset.open","input":${nested}}\n`,
  );
  const frameHeader = Buffer.from(
    `{"v":{"kind":"request","id":4,"name":"dataset.open","input":${nested}},"b":[]}`,
  );
  const deepFrame = Buffer.alloc(4 + frameHeader.length);
  deepFrame.writeUInt32LE(frameHeader.length, 0);
  frameHeader.copy(deepFrame, 4);
  await put('bridge/deep-nesting-frame.bin', deepFrame);

  // Frames whose header encodeFrame would never write (issue 16): a blob index that is a property name, one
  // blob referenced twice, and a __proto__ key that restoring by assignment turned into the input's prototype.
  await put(
    'bridge/bytes-index-length.bin',
    rawFrame('{"kind":"request","id":5,"name":"engine.info","input":{"a":{"$bytes":"length"}}}', [1, 2]),
  );
  await put(
    'bridge/blob-used-twice.bin',
    rawFrame(
      '{"kind":"request","id":6,"name":"engine.info","input":{"a":{"$bytes":0},"b":{"$bytes":0}}}',
      [1, 2],
    ),
  );
  await put(
    'bridge/proto-key.bin',
    rawFrame('{"kind":"request","id":8,"name":"dataset.open","input":{"__proto__":{"path":"/etc"}}}', []),
  );

  await makeModels();
}

await main();
