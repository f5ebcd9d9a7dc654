import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Points the engine at another resources folder: the packaged desktop app (Electron's resourcesPath), and
 * tests that check what happens when a shipped file is damaged, on a copy.
 */
export const RESOURCES_ENV = 'DEEPCORRECT_RESOURCES';

/**
 * The app's resources folder: DEEPCORRECT_RESOURCES when set, else the one beside this module's checkout
 * (which holds in a checkout and for the CLI). What is recorded about a bundled file is relative to it
 * (recorded-path.ts), so a second or moved checkout reads its own files.
 */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[RESOURCES_ENV];
  if (chosen !== undefined && chosen !== '') return path.resolve(chosen);
  return path.resolve(fileURLToPath(new URL('../../resources/', import.meta.url)));
}

/** The bundled Fashion-MNIST subset (1,000 training and 200 test images per class). */
export function demoDatasetDir(): string {
  return path.join(resourcesDir(), 'datasets', 'fashion-mnist-demo');
}

/** The pre-trained demo model (cnn4 on the bundled subset; resources/models/make-demo-model.sh). */
export function demoModelDir(): string {
  return path.join(resourcesDir(), 'models', 'fashion-mnist-cnn4');
}

/** The shipped blur study of the demo model (resources/studies/make-demo-study.sh). */
export function demoStudyDir(): string {
  return path.join(resourcesDir(), 'studies', 'fashion-mnist-blur');
}
