import { describe, expect, it } from 'vitest';
import { imagesPhrase, levelsPhrase, levelsPreset, modelPhrase } from '../../shared/job-title.ts';

describe('job titles', () => {
  it('tell two evaluations of one model apart by their levels, images and preset', () => {
    const severity = levelsPhrase('blur', [0.5, 1, 1.5, 2, 3]);
    const cifar = levelsPhrase('blur', [0.5, 1, 1.5, 2, 2.5, 3]);
    expect(severity).toBe('gaussian blur 0.5, 1, 1.5, 2, 3 (severity)');
    expect(cifar).toBe('gaussian blur 0.5, 1, 1.5, 2, 2.5, 3 (paper-cifar)');
    expect(levelsPhrase('noise', [20, 40])).toMatch(/noise 20, 40$/);
    expect(levelsPreset('jpeg', [80, 65, 50, 30, 15])).toBe('severity');
    // A paper preset defines blur and noise only: no match for other kinds, and no throw.
    expect(levelsPreset('jpeg', [0.5, 1, 1.5, 2, 2.5, 3])).toBeUndefined();
    expect(imagesPhrase('test', 20)).toBe('test, 20 per class');
    expect(imagesPhrase('test')).toBe('test, every image');
    expect(imagesPhrase('train', undefined, 1000)).toBe('train, 1000 images');
  });

  it('names a model by its folder, with the architecture where the name lacks it', () => {
    expect(modelPhrase('cnn4', '/x/resources/models/fashion-mnist-cnn4')).toBe('fashion-mnist-cnn4');
    expect(modelPhrase('cnn4', 'C:\\work\\units\\')).toBe('units (cnn4)');
    expect(modelPhrase('resnet8', '')).toBe('resnet8');
  });
});
