// Issue 18 item 6: evaluations, rankings and oracle experiments run with a workspace are kept in it, as
// complete artefacts with their settings and checksums, readable again by a new session; one cut short by a
// crash is listed as interrupted; a failed or cancelled one leaves nothing. On the bundled demo (wasm).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestInput, RequestOutput } from '../../shared/bridge/contract.ts';
import { BridgeError } from '../../shared/bridge/protocol.ts';
import type { WorkspaceManifest } from '../../shared/workspace.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { checkedInput } from '../../electron/engine/cli/engine-session.ts';
import {
  closeSession,
  createSession,
  type EngineSession,
  type UseCaseContext,
} from '../../electron/engine/use-cases/context.ts';
import { USE_CASES, type EngineRequest } from '../../electron/engine/use-cases/index.ts';
import {
  checkWorkspace,
  initWorkspace,
  MANIFEST_FILE,
  openWorkspace,
} from '../../electron/engine/workspace/index.ts';
import { tempDir } from './dataset-fixtures.ts';

let session: EngineSession;
let dir: string;
let ws: string;
let modelId: string;
let datasetId: string;
let layer: string;
let filters: number;

async function call<N extends EngineRequest>(
  name: N,
  input: RequestInput<N>,
  extra: Omit<UseCaseContext, 'session'> = {},
): Promise<RequestOutput<N>> {
  const run = USE_CASES[name].run;
  return run(checkedInput(name, input), { session, ...extra });
}

const manifestOnDisk = (): WorkspaceManifest =>
  JSON.parse(readFileSync(path.join(ws, MANIFEST_FILE), 'utf8')) as WorkspaceManifest;

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

const evaluation = (): RequestInput<'models.evaluate'> => ({
  modelId,
  datasetId,
  split: 'test',
  perClass: 2,
  spec: { kind: 'blur' },
  levels: [1, 2],
  seed: 3,
  workspace: ws,
});

beforeAll(async () => {
  session = createSession(await selectBackend({ forced: 'wasm' }), 'desktop');
  dir = await tempDir('workspace-results');
  ws = path.join(dir, 'ws');
  await initWorkspace(ws, { name: 'kept work' });
  const model = await call('models.open', {});
  modelId = model.modelId;
  layer = model.summary.convLayers[0]?.name ?? '';
  filters = model.summary.convLayers[0]?.filters ?? 0;
  datasetId = (await call('dataset.open', {})).datasetId;
});

afterAll(async () => {
  await closeSession(session);
  await rm(dir, { recursive: true, force: true });
});

describe('results saved into a workspace', () => {
  it('keeps an evaluation, a ranking and an oracle experiment as complete artefacts with checksums, readable by a new session', async () => {
    const tensors = tf.memory().numTensors;
    const evaluated = await call('models.evaluate', evaluation());
    const ranked = await call('rank.filters', {
      modelId,
      datasetId,
      layers: [layer],
      spec: { kind: 'blur' },
      levels: [1, 2],
      seed: 0,
      perClass: 2,
      method: 'proxy',
      stability: false,
      workspace: ws,
    });
    const order = ranked.layers[0]?.order ?? [];
    const experiment = await call('rank.experiment', {
      modelId,
      datasetId,
      spec: { kind: 'blur' },
      levels: [2],
      seed: 0,
      orders: { [layer]: order },
      // The ranked model's own hash: accepted (another is refused, below).
      ...(ranked.weightsSha256 === undefined ? {} : { weightsSha256: ranked.weightsSha256 }),
      fractions: [0.5],
      evalPerClass: 2,
      workspace: ws,
    });
    expect(ranked.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(tf.memory().numTensors).toBe(tensors);

    // Each output says where it went.
    for (const [out, kind] of [
      [evaluated, 'evaluation'],
      [ranked, 'ranking'],
      [experiment, 'experiment'],
    ] as const) {
      expect(out.saved).toMatchObject({ workspace: ws, workspaceName: 'kept work' });
      expect(out.saved?.path).toBe(
        `${kind === 'ranking' ? 'rankings' : `${kind}s`}/${out.saved?.artefactId}.json`,
      );
    }

    // A new session (another process, after a restart) finds all three complete, every file hashed.
    const reopened = await openWorkspace(ws);
    const kept = reopened.artefacts.filter((a) => a.kind !== 'dataset' && a.kind !== 'model');
    expect(kept.map((a) => [a.kind, a.status])).toEqual([
      ['evaluation', 'complete'],
      ['ranking', 'complete'],
      ['experiment', 'complete'],
    ]);
    for (const a of kept) {
      expect(a.files).toHaveLength(1);
      const [file] = a.files;
      expect(file?.path).toBe(a.path);
      expect(file?.sha256).toBe(await sha256(path.join(ws, a.path)));
      expect(file?.size).toBe((await readFile(path.join(ws, a.path))).length);
      expect(typeof a.provenance?.['summary']).toBe('string');
    }
    expect(kept[0]?.provenance?.['summary']).toBe(
      'gaussian blur at 1, 2; test split, 2 images a class; seed 3',
    );
    expect(kept[0]?.name).toMatch(/\(cnn4\) under gaussian blur$/);
    // The bundled model is recorded as bundled, not by this machine's path.
    expect(kept[0]?.provenance?.['model']).toMatch(/^resources\//);
    expect((await checkWorkspace(ws)).ok).toBe(true);

    // The saved files read back as what the jobs answered.
    const { saved: _e, ...evaluationResult } = evaluated;
    const openedEvaluation = await call('result.open', { path: path.join(ws, kept[0]?.path ?? '') });
    expect(openedEvaluation.saved).toMatchObject({
      format: 'deepcorrect-evaluation',
      settings: { split: 'test', perClass: 2, spec: { kind: 'blur' }, levels: [1, 2], seed: 3 },
      result: evaluationResult,
    });
    expect(openedEvaluation.modelPath).not.toBeNull();
    expect(existsSync(path.join(openedEvaluation.modelPath ?? '', 'model.json'))).toBe(true);
    const { saved: _r, ...rankingResult } = ranked;
    expect((await call('rank.open', { path: path.join(ws, kept[1]?.path ?? '') })).ranking).toEqual(
      rankingResult,
    );
    const { saved: _x, ...experimentResult } = experiment;
    const openedExperiment = await call('result.open', { path: path.join(ws, kept[2]?.path ?? '') });
    expect(openedExperiment.saved).toMatchObject({
      format: 'deepcorrect-experiment',
      settings: { orders: { [layer]: order }, fractions: [0.5], evalPerClass: 2, split: 'test' },
      result: experimentResult,
    });
    // The workspace is not left locked.
    expect(existsSync(path.join(ws, '.lock'))).toBe(false);
  });

  it('registers a result as interrupted before the job runs, so a crash leaves it listed so', async () => {
    let during: WorkspaceManifest | undefined;
    let locked = false;
    const out = await call('models.evaluate', evaluation(), {
      progress: () => {
        if (during !== undefined) return;
        during = manifestOnDisk();
        locked = existsSync(path.join(ws, '.lock'));
      },
    });
    const id = out.saved?.artefactId ?? '';
    const entry = during?.artefacts.find((a) => a.id === id);
    expect(entry).toMatchObject({ kind: 'evaluation', status: 'interrupted', files: [] });
    expect(locked).toBe(true);

    // The process dies at that moment: the manifest says what it said then, and no result file was written.
    await writeFile(path.join(ws, MANIFEST_FILE), JSON.stringify(during));
    await rm(path.join(ws, out.saved?.path ?? 'missing'));
    const after = await openWorkspace(ws);
    expect(after.artefact(id)).toMatchObject({ status: 'interrupted', files: [] });
    const check = await checkWorkspace(ws);
    expect(check.ok).toBe(true);
    expect(check.artefacts.find((a) => a.id === id)?.status).toBe('interrupted');
    // Discarded like any interrupted artefact.
    await call('workspace.discard', { path: ws, artefactId: id });
    expect((await openWorkspace(ws)).artefact(id)).toBeUndefined();
  });

  it('leaves no entry for a cancelled or refused job, and refuses a missing workspace before any work', async () => {
    const before = manifestOnDisk().artefacts.length;
    const abort = new AbortController();
    await expect(
      call('models.evaluate', evaluation(), { signal: abort.signal, progress: () => abort.abort() }),
    ).rejects.toThrow();
    expect(manifestOnDisk().artefacts).toHaveLength(before);
    expect(existsSync(path.join(ws, '.lock'))).toBe(false);

    await expect(
      call('models.evaluate', { ...evaluation(), workspace: path.join(dir, 'nowhere') }),
    ).rejects.toThrow(/nowhere/);
    expect(existsSync(path.join(dir, 'nowhere', MANIFEST_FILE))).toBe(false);

    // An experiment whose ranking records other weights than the open model's (a ranking file attached to a
    // retrained model of the same architecture): refused before any work, as invalid input.
    const refused: unknown = await call('rank.experiment', {
      modelId,
      datasetId,
      spec: { kind: 'blur' },
      levels: [2],
      seed: 0,
      orders: { [layer]: [...Array(filters).keys()] },
      weightsSha256: '0'.repeat(64),
      evalPerClass: 2,
      workspace: ws,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BridgeError);
    expect((refused as BridgeError).code).toBe('invalid-input');
    expect((refused as BridgeError).message).toMatch(
      /^the ranking was made on a model with other weights \(000000000000\.\.\.\) than .*fashion-mnist-cnn4 \([0-9a-f]{12}\.\.\.\)/,
    );
    expect(manifestOnDisk().artefacts).toHaveLength(before);
  });

  it('keeps a copy of a trained and a fine-tuned model (not their checkpoints) as complete model artefacts', async () => {
    const trained = await call('models.train', {
      datasetId,
      arch: 'cnn4',
      epochs: 1,
      batchSize: 8,
      seed: 1,
      optimizer: { kind: 'adam', learningRate: 0.001 },
      schedule: { kind: 'constant' },
      augment: { flip: false, shift: 0 },
      validationFraction: 0.2,
      trainPerClass: 1,
      outDir: path.join(dir, 'trained'),
      workspace: ws,
    });
    const tuned = await call('finetune.train', {
      modelId,
      datasetId,
      spec: { kind: 'blur' },
      levels: [1],
      epochs: 1,
      batchSize: 8,
      seed: 1,
      trainPerClass: 1,
      layers: 'first:1',
      outDir: path.join(dir, 'fine-tuned'),
      workspace: ws,
    });
    // Trained where asked, checkpoint and all (a resume needs it there).
    expect(existsSync(path.join(dir, 'trained', 'checkpoint'))).toBe(true);
    const reopened = await openWorkspace(ws);
    for (const [out, role] of [
      [trained, 'baseline'],
      [tuned, 'fine-tuned'],
    ] as const) {
      const entry = reopened.artefact(out.saved?.artefactId ?? '');
      expect(entry).toMatchObject({ kind: 'model', status: 'complete', provenance: { role } });
      const files = entry?.files.map((f) => f.path.slice((entry.path + '/').length)).sort() ?? [];
      expect(files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'deepcorrect.json']));
      expect(files.some((f) => f.startsWith('checkpoint'))).toBe(false);
      for (const f of entry?.files ?? []) expect(f.sha256).toBe(await sha256(path.join(ws, f.path)));
      // The copy opens as a model.
      const opened = await call('models.open', { path: path.join(ws, entry?.path ?? '') });
      expect(opened.metadata.arch).toBe('cnn4');
    }
    expect(reopened.artefact(tuned.saved?.artefactId ?? '')?.provenance?.['summary']).toBe(
      'first:1 layers; gaussian blur 1; up to 1 epochs, seed 1',
    );
    expect((await checkWorkspace(ws)).ok).toBe(true);
  });

  it('refuses a saved result that is not one, naming the file and the field', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ format: 'deepcorrect-evaluation', version: 1 }));
    await expect(call('result.open', { path: bad })).rejects.toThrow(
      new RegExp(
        `^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a saved evaluation or oracle experiment: field "model" is missing`,
      ),
    );
  });
});
