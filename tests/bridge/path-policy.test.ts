/**
 * The path allow-list on a real tree of folders and links (issue 16, findings 2 and 6): a path is judged by
 * where the OS really takes it, `..` after a link included, and writes need a writable folder.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathPolicy, realLocation } from '../../electron/gateway/paths.ts';
import { PICK_KINDS, pickGrant } from '../../electron/main/pick.ts';
import { BridgeError } from '../../shared/bridge/protocol.ts';

function refusal(run: () => unknown): BridgeError {
  try {
    run();
  } catch (error) {
    if (error instanceof BridgeError) return error;
    throw error;
  }
  throw new Error('expected a refusal, the path was allowed');
}

/** What the OS resolves (libc's realpath; Node's own realpathSync normalises `..` lexically first). */
const osReal = (p: string): string => realpathSync.native(p);

describe('the path policy', () => {
  let base: string;
  let allowed: string;
  let outside: string;
  let readOnly: string;
  let policy: PathPolicy;

  beforeAll(() => {
    base = realpathSync(mkdtempSync(path.join(tmpdir(), 'dc-path-policy-')));
    allowed = path.join(base, 'allowed');
    outside = path.join(base, 'outside');
    readOnly = path.join(base, 'read-only');
    mkdirSync(path.join(allowed, 'a', 'b'), { recursive: true });
    mkdirSync(path.join(outside, 'inner', 'deeper'), { recursive: true });
    mkdirSync(readOnly);
    writeFileSync(path.join(allowed, 'file'), 'x');
    symlinkSync(path.join(outside, 'inner'), path.join(allowed, 'link-out'));
    symlinkSync('a/b', path.join(allowed, 'link-in'));
    symlinkSync('/etc', path.join(allowed, 'link-etc'));
    symlinkSync('../outside/new', path.join(allowed, 'dangling-out'));
    symlinkSync('a/new', path.join(allowed, 'dangling-in'));
    symlinkSync('loop-2', path.join(allowed, 'loop-1'));
    symlinkSync('loop-1', path.join(allowed, 'loop-2'));
    symlinkSync(path.join(allowed, 'a'), path.join(readOnly, 'link-to-allowed'));
    policy = new PathPolicy();
    policy.allow(allowed);
    policy.allowRead(readOnly);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('refuses a link followed by .. that the OS resolves outside (the /etc/ssl/../.. of the review)', () => {
    // Joined by hand: path.join would normalise the .. away lexically, the very mistake under test.
    const escape = `${allowed}/link-out/deeper/../..`;
    expect(osReal(escape)).toBe(outside);
    const error = refusal(() => policy.check(escape, 'read'));
    expect(error.code).toBe('not-allowed');
    expect(error.message).toContain(`it leads to ${outside}`);
    if (existsSync('/etc/ssl')) {
      const root = `${allowed}/link-etc/ssl/../..`;
      expect(osReal(root)).toBe('/');
      expect(refusal(() => policy.check(root, 'read')).code).toBe('not-allowed');
    }
  });

  it('returns the real location it checked, which is what the OS opens', () => {
    const viaLink = `${allowed}/link-in/../b/./`;
    expect(policy.check(viaLink, 'read')).toBe(osReal(viaLink));
    expect(policy.check(viaLink, 'read')).toBe(path.join(allowed, 'a', 'b'));
    expect(policy.check(`${allowed}//a/../file`, 'write')).toBe(path.join(allowed, 'file'));
    const relative = path.relative(process.cwd(), path.join(allowed, 'a'));
    expect(policy.check(relative, 'read')).toBe(path.join(allowed, 'a'));
  });

  it('takes a path that does not exist yet as written below its real existing part, without ..', () => {
    expect(policy.check(`${allowed}/link-in/new/out`, 'write')).toBe(
      path.join(allowed, 'a', 'b', 'new', 'out'),
    );
    const climb = refusal(() => policy.check(`${allowed}/new/../../outside`, 'write'));
    expect(climb.code).toBe('invalid-input');
    expect(climb.message).toContain('does not exist yet');
    expect(refusal(() => policy.check(`${allowed}/new/../a`, 'write')).code).toBe('invalid-input');
  });

  it('follows a dangling link to where a write through it would land', () => {
    expect(refusal(() => policy.check(path.join(allowed, 'dangling-out'), 'write')).message).toContain(
      `it leads to ${path.join(outside, 'new')}`,
    );
    expect(policy.check(path.join(allowed, 'dangling-in', 'x'), 'write')).toBe(
      path.join(allowed, 'a', 'new', 'x'),
    );
  });

  it('refuses what no OS call would follow: NUL bytes, link loops, a file with more path after it', () => {
    expect(refusal(() => policy.check(`${allowed}/a\0/b`, 'read')).message).toContain('NUL');
    expect(refusal(() => policy.check(path.join(allowed, 'loop-1'), 'read')).message).toContain('loop');
    expect(refusal(() => policy.check(`${allowed}/file/../a`, 'read')).code).toBe('invalid-input');
    expect(refusal(() => policy.check(`${allowed}/file/`, 'read')).code).toBe('invalid-input');
  });

  it('writes only inside writable folders, and says which kind of folder a refused path missed', () => {
    expect(policy.check(path.join(readOnly, 'x'), 'read')).toBe(path.join(readOnly, 'x'));
    const readOnlyWrite = refusal(() => policy.check(path.join(readOnly, 'x'), 'write'));
    expect(readOnlyWrite.code).toBe('not-allowed');
    expect(readOnlyWrite.message).toContain('may only read');
    expect(readOnlyWrite.message).toContain('--allow <folder>');
    // A link in the read-only folder to a writable one leads to a writable place.
    expect(policy.check(path.join(readOnly, 'link-to-allowed', 'x'), 'write')).toBe(
      path.join(allowed, 'a', 'x'),
    );
    const elsewhere = refusal(() => policy.check(path.join(outside, 'x'), 'read'));
    expect(elsewhere.message).toContain('outside the folders this session may use');
    expect(elsewhere.message).toContain('--allow-read');
    expect(policy.writable()).toEqual([allowed]);
    expect(policy.readOnly()).toEqual([readOnly]);
  });

  it('keeps allow() read and write; allowRead() of a writable folder leaves it writable', () => {
    const both = new PathPolicy();
    both.allow(allowed);
    both.allowRead(allowed);
    expect(both.check(path.join(allowed, 'new'), 'write')).toBe(path.join(allowed, 'new'));
    both.allowRead(readOnly);
    both.allow(readOnly);
    expect(both.readOnly()).toEqual([]);
  });

  it('resolves an allowed folder that is a link to its target', () => {
    const viaLink = new PathPolicy();
    viaLink.allow(path.join(allowed, 'link-out'));
    expect(viaLink.allowed()).toEqual([path.join(outside, 'inner')]);
    expect(viaLink.check(path.join(outside, 'inner', 'deeper'), 'write')).toBe(
      path.join(outside, 'inner', 'deeper'),
    );
    expect(realLocation(`${allowed}/link-out/..`)).toBe(outside);
  });

  it('grants a desktop picker folder what its dialog is for: output folders write, opened ones read', () => {
    expect(PICK_KINDS.map((kind) => [kind, pickGrant(kind)])).toEqual([
      ['dataset-folder', 'read'],
      ['dataset-file', 'read'],
      ['model-folder', 'read'],
      ['study-folder', 'read'],
      ['output-folder', 'write'],
    ]);
  });
});
