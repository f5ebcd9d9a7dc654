import { paperKernelSize } from '../../../shared/distortions.ts';

/**
 * The 1-D Gaussian blur weights exactly as OpenCV's getGaussianKernel(size, sigma) for sigma > 0: the
 * Gaussian sampled at integer offsets from the centre and normalised to sum 1, in float64 (OpenCV's 8-bit
 * path then rounds them to fixed point, which is why results may differ from it by one grey level).
 */
export function gaussianWeights(size: number, sigma: number): Float64Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) {
    throw new RangeError(`Gaussian kernel size must be a positive odd integer, got ${size}`);
  }
  if (!(sigma > 0)) throw new RangeError(`Gaussian sigma must be positive, got ${sigma}`);
  const weights = new Float64Array(size);
  const scale = -0.5 / (sigma * sigma);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - centre;
    const w = Math.exp(scale * x * x);
    weights[i] = w;
    sum += w;
  }
  for (let i = 0; i < size; i++) weights[i] = (weights[i] as number) / sum;
  return weights;
}

/** The kernel size a blur spec uses: its own, or the paper's 4*sigma+1 (rounded up to odd). */
export function blurKernelSize(sigma: number, kernelSize: number | undefined): number {
  return kernelSize ?? paperKernelSize(sigma);
}
