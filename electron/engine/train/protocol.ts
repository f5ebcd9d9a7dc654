/** Messages between the data-parallel trainer and its gradient workers. */
export interface WorkerInit {
  entry: string;
  backend: string;
  /** model.toJSON(null, false) of the replica to build. */
  modelTopology: object;
  /** Shared buffers: current weights (written by the trainer) and this worker's gradients. */
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  /**
   * The values of model.nonTrainableWeights, in order, at the trainer's start: a rebuilt replica has fresh
   * values there, and frozen layers (a corrected model's base) must compute what the main model computes.
   */
  frozen: Float32Array[];
}

export interface WorkerStep {
  type: 'step';
  x: Float32Array;
  xShape: number[];
  y: Float32Array;
  yShape: number[];
}

export type WorkerReply =
  { type: 'ready' } | { type: 'done'; loss: number; correct: number } | { type: 'error'; message: string };
