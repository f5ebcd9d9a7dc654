import {
  getBackend,
  registerGradient,
  type GradConfig,
  type NamedAttrMap,
  type Tensor,
  type Tensor4D,
} from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function isOne(d: [number, number] | number): boolean {
  return Array.isArray(d) ? d[0] === 1 && d[1] === 1 : d === 1;
}

/**
 * Conv2D's gradient, as tfjs defines it, extended to dilated convolutions on the wasm backend,
 * whose project kernels honour `dilations` (tfjs's own gradient refuses any dilation). Other
 * backends' backprop kernels ignore the attribute, so there a dilated gradient is refused
 * rather than silently wrong.
 */
const conv2DGrad: GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], rawAttrs: NamedAttrMap) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const attrs = rawAttrs as unknown as Conv2DAttrs;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
    if (!isOne(dilations) && getBackend() !== 'wasm') {
      throw new Error(
        `Error in gradient of conv2D: dilation ${String(dilations)} is supported in training on the wasm backend only (current: ${getBackend()})`,
      );
    }
    if (dataFormat !== 'NHWC')
      throw new Error(`Error in gradient of conv2D: only NHWC is supported, got ${dataFormat}`);
    const engine = tf.engine();
    return {
      x: () =>
        engine.runKernel<Tensor>('Conv2DBackpropInput', { dy: dy as Tensor, filter }, {
          strides,
          pad,
          dataFormat,
          dimRoundingMode,
          inputShape: x.shape,
          dilations,
        } as unknown as NamedAttrMap),
      filter: () =>
        engine.runKernel<Tensor>('Conv2DBackpropFilter', { x, dy: dy as Tensor }, {
          strides,
          pad,
          dataFormat,
          dimRoundingMode,
          filterShape: filter.shape,
          dilations,
        } as unknown as NamedAttrMap),
    };
  },
};

let registered = false;

export function registerConvGradient(): void {
  if (registered) return;
  registerGradient(conv2DGrad);
  registered = true;
}
