/**
 * GPU time of compute passes the project encodes itself (the fused Adam's), which tfjs's profiling mode does
 * not see: while timing is on, such a pass is begun with timestamp writes, and its time is read back after
 * its submit. Off (the default), a pass is begun exactly as before. Only the GPU step profile turns it on.
 */

interface PassTime {
  label: string;
  ms: Promise<number>;
}

let timing: { device: GPUDevice; passes: PassTime[] } | undefined;

/** Starts timing the project's own passes on `device`, which must have the 'timestamp-query' feature. */
export function startPassTiming(device: GPUDevice): void {
  timing = { device, passes: [] };
}

/** Stops timing and resolves to each pass timed since the start, in order, with its GPU time in ms. */
export async function stopPassTiming(): Promise<{ label: string; ms: number }[]> {
  const passes = timing?.passes ?? [];
  timing = undefined;
  return Promise.all(passes.map(async (p) => ({ label: p.label, ms: await p.ms })));
}

/**
 * Begins a compute pass on `encoder`, with timestamps when timing is on. After `pass.end()`, `finish` submits
 * the encoder's command buffer (and, when timed, the query's resolve), then reads the time back.
 */
export function beginTimedPass(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  label: string,
): { pass: GPUComputePassEncoder; finish: () => void } {
  if (timing === undefined || timing.device !== device) {
    const pass = encoder.beginComputePass({ label });
    return { pass, finish: () => device.queue.submit([encoder.finish()]) };
  }
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const staging = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const pass = encoder.beginComputePass({
    label,
    timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
  });
  const passes = timing.passes;
  return {
    pass,
    finish: () => {
      encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, staging, 0, 16);
      device.queue.submit([encoder.finish()]);
      const ms = staging.mapAsync(GPUMapMode.READ).then(
        () => {
          const [begin = 0n, end = 0n] = new BigUint64Array(staging.getMappedRange());
          const time = Number(end - begin) / 1e6;
          staging.unmap();
          return time;
        },
        () => Number.NaN,
      );
      passes.push({
        label,
        ms: ms.finally(() => {
          staging.destroy();
          resolve.destroy();
          querySet.destroy();
        }),
      });
    },
  };
}
