/**
 * The native pickers the renderer may ask for, by kind. Pure (no Electron import): the kinds are checked
 * here before any dialog opens, and the dialog options are plain data.
 */
import type { BridgeTransport } from '../../shared/bridge/client.ts';
import type { PathAccess } from '../gateway/paths.ts';

export type PickKind = Parameters<NonNullable<BridgeTransport['pickPath']>>[0];

export const PICK_KINDS: readonly PickKind[] = [
  'dataset-folder',
  'dataset-file',
  'model-folder',
  'study-folder',
  'output-folder',
];

export function isPickKind(value: unknown): value is PickKind {
  return typeof value === 'string' && (PICK_KINDS as readonly string[]).includes(value);
}

/** What showOpenDialog needs for one kind (structurally Electron's OpenDialogOptions). */
export interface PickDialogOptions {
  title: string;
  buttonLabel: string;
  properties: ('openFile' | 'openDirectory' | 'createDirectory' | 'dontAddToRecent')[];
}

export function pickDialogOptions(kind: PickKind): PickDialogOptions {
  switch (kind) {
    case 'dataset-folder':
      return {
        title: 'Open dataset folder',
        buttonLabel: 'Open',
        properties: ['openDirectory', 'dontAddToRecent'],
      };
    case 'dataset-file':
      // No extension filter: IDX images files are often named without one (train-images-idx3-ubyte).
      return {
        title: 'Open dataset file (IDX images)',
        buttonLabel: 'Open',
        properties: ['openFile', 'dontAddToRecent'],
      };
    case 'model-folder':
      return {
        title: 'Open model folder (TensorFlow.js model.json)',
        buttonLabel: 'Open',
        properties: ['openDirectory', 'dontAddToRecent'],
      };
    case 'study-folder':
      return {
        title: 'Open study folder (report.json)',
        buttonLabel: 'Open',
        properties: ['openDirectory', 'dontAddToRecent'],
      };
    case 'output-folder':
      return {
        title: 'Choose output folder',
        buttonLabel: 'Choose',
        properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
      };
  }
}

/**
 * What choosing a path in a kind's dialog lets the engine do there: an output folder is written to (a model
 * trained, a study run, a workspace created, opened or discarded from: the workspace view picks with this kind
 * for all of them); a dataset, model or study opened is only read. PathField also accepts 'study-folder', but
 * only for opening a finished study: every output field picks 'output-folder'.
 */
export function pickGrant(kind: PickKind): PathAccess {
  switch (kind) {
    case 'dataset-folder':
    case 'dataset-file':
    case 'model-folder':
    case 'study-folder':
      return 'read';
    case 'output-folder':
      return 'write';
  }
}
