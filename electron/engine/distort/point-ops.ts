import * as tf from '@tensorflow/tfjs';

/**
 * Contrast reduction: every pixel pulled toward its image's mean (over all pixels and channels), so the
 * image's average brightness is kept while its range shrinks. Factor 1 returns an exact copy (the formula
 * itself can move a value by one float32 step).
 */
export function scaleContrast(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  if (factor === 1) return tf.clone(x);
  return tf.tidy(() => {
    const mean = tf.mean(x, [1, 2, 3], true);
    return tf.add(mean, tf.mul(tf.sub(x, mean), factor));
  });
}

/** Brightness shift: a constant added to every pixel, clipped to 0..255 as a display or sensor would. */
export function shiftBrightness(x: tf.Tensor4D, shift: number): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(x, shift), 0, 255) as tf.Tensor4D);
}
