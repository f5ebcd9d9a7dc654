import * as tf from '@tensorflow/tfjs';
import { convolve2d, convolveSeparable } from './convolve.ts';
import { diskKernel } from './disk-kernel.ts';
import { blurKernelSize, gaussianWeights } from './gaussian.ts';
import { lineKernel } from './motion-kernel.ts';

/**
 * Gaussian blur as OpenCV GaussianBlur(k x k, sigma, BORDER_CONSTANT); sigma 0 is the identity. The work is
 * 2 * k multiply-adds per pixel and channel, so the bound on k matters: validateSpec (run by distortBatch)
 * keeps it within MAX_BLUR_KERNEL (121); a k of 2,000,001 once held the engine host for 11 s.
 */
export function gaussianBlur(x: tf.Tensor4D, sigma: number, kernelSize?: number): tf.Tensor4D {
  if (sigma === 0) return tf.clone(x);
  const weights = gaussianWeights(blurKernelSize(sigma, kernelSize), sigma);
  return convolveSeparable(x, weights, weights);
}

/**
 * Linear motion blur over `length` pixels at `angle` degrees; length 1 is the identity. The kernel spans up
 * to length + 1 cells a side, each a multiply-add per pixel: the level's bound (41) keeps it small.
 */
export function motionBlur(x: tf.Tensor4D, length: number, angle = 0): tf.Tensor4D {
  return convolve2d(x, lineKernel(length, angle));
}

/**
 * Defocus (disk) blur of `radius` pixels; radius 0 is the identity. Not separable: (2 * radius + 1)^2
 * multiply-adds per pixel and channel, 1,681 at the largest radius the level allows (20), the costliest
 * distortion per pixel at its bound.
 */
export function defocusBlur(x: tf.Tensor4D, radius: number): tf.Tensor4D {
  return convolve2d(x, diskKernel(radius));
}
