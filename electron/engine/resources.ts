import { fileURLToPath } from 'node:url';

// Resolved from this module's location, which holds in a checkout and for the CLI; the packaged desktop app
// will pass its own resources folder (Electron's process.resourcesPath).

/** The bundled Fashion-MNIST subset (1,000 training and 200 test images per class). */
export function demoDatasetDir(): string {
  return fileURLToPath(new URL('../../resources/datasets/fashion-mnist-demo/', import.meta.url));
}
