// Stands in for sharp in the offline GPU bundle (scripts/gpu/prepare.sh): the bundled data is IDX, which
// needs no image decoder, and leaving out sharp's native libvips keeps .gpu/ small. Image folders and PNG
// output fail with this message instead of a missing-module error at start-up.
export default function sharp() {
  throw new Error(
    'sharp is not part of the offline GPU bundle: image folders and PNG files are unsupported there',
  );
}
