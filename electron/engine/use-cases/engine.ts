import { DISTORTIONS } from '../../../shared/distortions.ts';
import { APP_VERSION } from '../../../shared/version.ts';
import { demoBaseline } from '../ops/demo-baseline.ts';
import { reporting, type UseCase } from './context.ts';

/** engine.info: the backend and device the engine runs on, for the status bar and every report. */
export const engineInfo: UseCase<'engine.info'> = {
  run: (_input, { session }) =>
    Promise.resolve({
      backend: {
        name: session.backend.name,
        reason: session.backend.reason,
        device: session.backend.device,
        threads: session.backend.threads,
      },
      version: APP_VERSION,
      mode: session.mode,
    }),
};

/** demo.train: cnn4 trained on the bundled demo, then its accuracy clean and at each level. */
export const demoTrain: UseCase<'demo.train'> = {
  title: (input) =>
    `Train cnn4 on the demo (${input.trainPerClass * 10} images, ${input.epochs} epochs), then ${DISTORTIONS[input.spec.kind].label.toLowerCase()} accuracy`,
  run: async (input, context) => {
    const { session, log } = context;
    const result = await demoBaseline({
      backend: session.backend.name,
      ...input,
      ...reporting(context),
      ...(log
        ? {
            onStart: (i) =>
              log(
                `training cnn4 on ${i.trainImages} Fashion-MNIST images (${i.classes} classes), ${i.replicas} replica(s)`,
              ),
          }
        : {}),
    });
    return {
      rows: result.rows,
      epochs: result.epochs.map((e) => ({
        epoch: e.epoch,
        loss: e.loss,
        imagesPerSecond: e.imagesPerSecond,
      })),
      testImages: result.testImages,
    };
  },
};
