import { fileURLToPath } from 'node:url';

// Resolved from this module's location, which holds in a checkout and for the CLI; the packaged desktop app
// will pass its own resources folder (Electron's process.resourcesPath).

/** The bundled Fashion-MNIST subset (1,000 training and 200 test images per class). */
export function demoDatasetDir(): string {
  return fileURLToPath(new URL('../../resources/datasets/fashion-mnist-demo/', import.meta.url));
}

/** The pre-trained demo model (cnn4 on the bundled subset; resources/models/make-demo-model.sh). */
export function demoModelDir(): string {
  return fileURLToPath(new URL('../../resources/models/fashion-mnist-cnn4/', import.meta.url));
}
