// Every command given a missing path, a file where it wants a folder and a folder where it wants a file: the
// message names the path and the problem in words, never a system code (ENOENT, EISDIR...), and comes before
// the engine loads (no backend line on stderr), so it takes a fraction of a second rather than seconds.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.ts';

const DATASET = 'resources/datasets/fashion-mnist-demo';
const MODEL = 'resources/models/fashion-mnist-cnn4';
const SYSTEM_CODE = /\bE(NOENT|ACCES|PERM|ISDIR|NOTDIR|EXIST|NOTEMPTY|LOOP|ROFS|NOSPC)\b/;

let root: string;
/** A missing path, a plain file, an empty folder and a folder without a workspace manifest, all in `root`. */
const at = (name: string): string => path.join(root, name);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dc-bad-paths-'));
  await writeFile(at('file.txt'), 'not a model, a dataset or a folder\n');
  await writeFile(at('image.png'), 'not really a PNG either\n');
  await mkdir(at('folder'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Case {
  args: () => string[];
  /** The path the message must name. */
  names: () => string;
  /** The problem in words. */
  says: RegExp;
}

const MISSING = /no such file or folder/;
const FILE_NOT_FOLDER = /is a file, not /;
const FOLDER_NOT_FILE = /is a folder, not /;

const CASES: Record<string, Case> = {
  'evaluate: missing model': {
    args: () => ['evaluate', '--model', at('nope'), '--dataset', DATASET],
    names: () => at('nope'),
    says: MISSING,
  },
  'evaluate: missing dataset': {
    args: () => ['evaluate', '--model', MODEL, '--dataset', at('nope')],
    names: () => at('nope'),
    says: MISSING,
  },
  'evaluate: a file as the model folder': {
    args: () => ['evaluate', '--model', at('file.txt'), '--dataset', DATASET],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
  'evaluate: a folder without model.json': {
    args: () => ['evaluate', '--model', at('folder'), '--dataset', DATASET],
    names: () => at('folder'),
    says: /holds no model\.json/,
  },
  'rank: missing model': {
    args: () => ['rank', '--model', at('nope'), '--dataset', DATASET],
    names: () => at('nope'),
    says: MISSING,
  },
  'rank: a folder as the --out file': {
    args: () => ['rank', '--model', MODEL, '--dataset', DATASET, '--out', at('folder')],
    names: () => at('folder'),
    says: FOLDER_NOT_FILE,
  },
  'train: missing dataset': {
    args: () => ['train', '--dataset', at('nope'), '--arch', 'cnn4', '--out', at('out')],
    names: () => at('nope'),
    says: MISSING,
  },
  'train: a file as the --out folder': {
    args: () => ['train', '--dataset', DATASET, '--arch', 'cnn4', '--out', at('file.txt')],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
  'correct: missing model': {
    args: () => ['correct', '--model', at('nope'), '--dataset', DATASET, '--out', at('o'), '--rank', 'proxy'],
    names: () => at('nope'),
    says: MISSING,
  },
  'correct: a folder as the ranking file': {
    args: () => [
      'correct',
      '--model',
      MODEL,
      '--dataset',
      DATASET,
      '--out',
      at('o'),
      '--ranking',
      at('folder'),
    ],
    names: () => at('folder'),
    says: FOLDER_NOT_FILE,
  },
  'correct: a missing ranking file': {
    args: () => [
      'correct',
      '--model',
      MODEL,
      '--dataset',
      DATASET,
      '--out',
      at('o'),
      '--ranking',
      at('nope.json'),
    ],
    names: () => at('nope.json'),
    says: MISSING,
  },
  'finetune: missing dataset': {
    args: () => ['finetune', '--model', MODEL, '--dataset', at('nope'), '--out', at('o')],
    names: () => at('nope'),
    says: MISSING,
  },
  'finetune: an --out under a file': {
    args: () => ['finetune', '--model', MODEL, '--dataset', DATASET, '--out', path.join(at('file.txt'), 'm')],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
  'study: missing model': {
    args: () => ['study', '--model', at('nope'), '--out', at('s')],
    names: () => at('nope'),
    says: MISSING,
  },
  'study: a workspace that does not exist': {
    args: () => ['study', '--workspace', at('W')],
    names: () => at('W'),
    says: /no such file or folder; not a workspace: create one with 'deepcorrect workspace init /,
  },
  'study: a folder that is not a workspace': {
    args: () => ['study', '--workspace', at('folder')],
    names: () => at('folder'),
    says: /not a workspace .*deepcorrect workspace init /,
  },
  'study: a file as the workspace': {
    args: () => ['study', '--workspace', at('file.txt')],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
  'distort: missing input': {
    args: () => ['distort', '--in', at('nope.png'), '--kind', 'blur', '--level', '1', '--out', at('o.png')],
    names: () => at('nope.png'),
    says: MISSING,
  },
  'distort: a dataset written over a file': {
    args: () => ['distort', '--in', DATASET, '--kind', 'blur', '--level', '1', '--out', at('file.txt')],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
  'dataset info: missing': {
    args: () => ['dataset', 'info', at('nope')],
    names: () => at('nope'),
    says: MISSING,
  },
  'dataset subset: a file as the --out folder': {
    args: () => ['dataset', 'subset', DATASET, '--out', at('file.txt')],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
  'workspace list: missing': {
    args: () => ['workspace', 'list', at('W')],
    names: () => at('W'),
    says: /no such file or folder; not a workspace/,
  },
  'workspace check: a file': {
    args: () => ['workspace', 'check', at('file.txt')],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
  'workspace discard: missing': {
    args: () => ['workspace', 'discard', at('W'), 'x'],
    names: () => at('W'),
    says: MISSING,
  },
  'workspace init: under a file': {
    args: () => ['workspace', 'init', path.join(at('file.txt'), 'ws')],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
  'serve: a missing --allow-read folder': {
    args: () => ['serve', '--allow-read', at('nope')],
    names: () => at('nope'),
    says: MISSING,
  },
  'start: an --allow folder under a file': {
    args: () => ['start', '--browser', '--allow', path.join(at('file.txt'), 'x')],
    names: () => at('file.txt'),
    says: FILE_NOT_FOLDER,
  },
};

// Concurrent: each case is a short process that waits mostly on node's start-up.
describe.concurrent('a bad path is refused in words, before the engine loads', () => {
  // test.for hands each case its own expect, which concurrent cases need.
  it.for(Object.keys(CASES))('%s', async (name, { expect }) => {
    const c = CASES[name] as Case;
    const { code, stdout, stderr } = await cli(c.args());
    expect(code, stdout).toBe(1);
    expect(stderr).toContain(c.names());
    expect(stderr).toMatch(c.says);
    expect(stderr).not.toMatch(SYSTEM_CODE);
    // The ladder reports each backend it tries: none was tried.
    expect(stderr).not.toMatch(/backend/);
    expect(stdout).toBe('');
  });
});

describe('a misspelt option', () => {
  it('is named with the closest real option and a pointer to --help, not the whole help', async () => {
    const { code, stderr } = await cli(['distort', '--input', 'x.png', '--kind', 'blur']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "deepcorrect: unknown option '--input' (did you mean --in?)\nrun 'deepcorrect distort --help' for its options\n",
    );
  });

  it('is found in every command, root options included', async () => {
    const evaluate = await cli(['evaluate', '--modle', MODEL, '--dataset', DATASET]);
    expect(evaluate.stderr).toContain("unknown option '--modle' (did you mean --model?)");
    const root = await cli(['--bakend', 'wasm', 'doctor']);
    expect(root.stderr).toContain("unknown option '--bakend' (did you mean --backend?)");
    expect(root.stderr).toContain("run 'deepcorrect --help' for its commands");
    const nested = await cli(['workspace', 'list', 'x', '--jsn']);
    expect(nested.stderr).toContain("unknown option '--jsn' (did you mean --json?)");
  });

  it('a misspelt command reads the same way', async () => {
    const { code, stderr } = await cli(['evalute']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "deepcorrect: unknown command 'evalute' (did you mean evaluate?)\nrun 'deepcorrect --help' for its commands\n",
    );
  });

  it('still leaves --help to print the help', async () => {
    const { code, stdout } = await cli(['distort', '--input', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: deepcorrect distort');
  });
});

describe('the engine, reached without the command line (the app)', () => {
  it('calls a missing workspace folder not a workspace, with how to make one, not a lock error', async () => {
    const { openWorkspace } = await import('../../electron/engine/workspace/workspace.ts');
    const error: unknown = await openWorkspace(at('W'), { write: true, tool: 'test' }).catch(
      (e: unknown) => e,
    );
    expect(String(error)).toContain(
      `${at('W')}: no such folder, so not a workspace: create one with 'deepcorrect workspace init ${at('W')}'`,
    );
    expect(String(error)).not.toMatch(SYSTEM_CODE);
  });
});
