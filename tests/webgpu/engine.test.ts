// The engine on the webgpu backend, on SwiftShader (a Vulkan driver that runs on the CPU, from Debian's
// chromium package), so CI without a GPU still runs every GPU code path. One process for every part: Dawn
// compiles each shader once for all of them (compiling, not computing, is most of SwiftShader's time), and the
// tiny dataset and model are written once. Skipped, saying why, without SwiftShader or a Vulkan loader.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { releaseBackends } from '../../electron/engine/backend/probes.ts';
import { agreementTests } from './agreement.ts';
import { commandTests } from './commands.ts';
import { writeShapesDataset, writeTinyModel, type Fixture } from './fixtures.ts';
import { hostJobTests } from './host-jobs.ts';
import { suiteName, swiftShaderMissing, useSwiftShader } from './swiftshader.ts';

const fx: Fixture = { dir: '', data: '', model: '' };

describe.skipIf(swiftShaderMissing() !== undefined)(suiteName('the engine on webgpu (SwiftShader)'), () => {
  beforeAll(async () => {
    useSwiftShader();
    fx.dir = await mkdtemp(path.join(tmpdir(), 'dc-webgpu-'));
    // Written on wasm: the fixture, not the GPU, is not under test here.
    await selectBackend({ forced: 'wasm' });
    fx.data = await writeShapesDataset(path.join(fx.dir, 'data'), { train: 3, test: 2 });
    fx.model = await writeTinyModel(path.join(fx.dir, 'model'));
  });

  afterAll(async () => {
    releaseBackends();
    await rm(fx.dir, { recursive: true, force: true });
  });

  agreementTests(fx);
  commandTests(fx);
  // After the commands, whose demo and train compiled the shaders demo.train and models.train use.
  hostJobTests(fx);
});
