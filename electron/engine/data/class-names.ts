import { readFile } from 'node:fs/promises';
import { DatasetError, fsProblem } from './errors.ts';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/**
 * Class names from a text file, one per line (trailing blank lines and surrounding spaces ignored). A blank line
 * between names is an error: it would shift every later class.
 */
export async function readNamesFile(file: string): Promise<string[]> {
  const names = await readNamesFileIfPresent(file);
  if (names === undefined) throw new DatasetError(file, 'no such file or directory');
  return names;
}

/** Like readNamesFile, but undefined when the file does not exist. */
export async function readNamesFileIfPresent(file: string): Promise<string[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DatasetError(file, fsProblem(error), { cause: error });
  }
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const blank = lines.indexOf('');
  if (blank >= 0) throw new DatasetError(file, `line ${blank + 1} is blank (one class name per line)`);
  if (lines.length === 0) throw new DatasetError(file, 'lists no class names');
  return lines;
}

/** Throws unless every label is a valid index into `classes`. */
export function checkLabels(labels: Int32Array, classes: number, file: string, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label >= classes)
      throw new DatasetError(file, `label ${label} of image ${i} is outside the ${classes} classes ${what}`);
  }
}

/** Images per class. */
export function countPerClass(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label] = (counts[label] as number) + 1;
  return counts;
}
