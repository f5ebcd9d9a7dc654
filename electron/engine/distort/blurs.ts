import * as tf from '@tensorflow/tfjs';
import { convolve2d, convolveSeparable } from './convolve.ts';
import { diskKernel } from './disk-kernel.ts';
import { blurKernelSize, gaussianWeights } from './gaussian.ts';
import { lineKernel } from './motion-kernel.ts';

/** Gaussian blur as OpenCV GaussianBlur(k x k, sigma, BORDER_CONSTANT); sigma 0 is the identity. */
export function gaussianBlur(x: tf.Tensor4D, sigma: number, kernelSize?: number): tf.Tensor4D {
  if (sigma === 0) return tf.clone(x);
  const weights = gaussianWeights(blurKernelSize(sigma, kernelSize), sigma);
  return convolveSeparable(x, weights, weights);
}

/** Linear motion blur over `length` pixels at `angle` degrees; length 1 is the identity. */
export function motionBlur(x: tf.Tensor4D, length: number, angle = 0): tf.Tensor4D {
  return convolve2d(x, lineKernel(length, angle));
}

/** Defocus (disk) blur of `radius` pixels; radius 0 is the identity. */
export function defocusBlur(x: tf.Tensor4D, radius: number): tf.Tensor4D {
  return convolve2d(x, diskKernel(radius));
}
