/**
 * Property-based fuzzing of the path allow-list (issue 16): random paths through a real tree of folders and
 * links (inside and outside the allowed folders, relative and absolute, chains, links to links, loops, dangling
 * ones), `..`, `.`, empty segments and trailing separators. The OS is the oracle: a path the policy allows
 * must lead, for the OS, to the canonical path it returned, inside an allowed folder (writable ones for
 * writes); one the OS resolves inside must be allowed. On failure fast-check prints its seed and path.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathPolicy, type PathAccess } from '../../electron/gateway/paths.ts';
import { BridgeError } from '../../shared/bridge/protocol.ts';

/** libc's realpath: what the OS resolves (Node's own realpathSync normalises `..` lexically first). */
function osReal(p: string): { real: string } | { code: string } {
  try {
    return { real: realpathSync.native(p) };
  } catch (error) {
    return { code: (error as NodeJS.ErrnoException).code ?? 'error' };
  }
}

function inside(real: string, root: string): boolean {
  return real === root || real.startsWith(`${root}/`);
}

/** Every entry under a folder, links not followed: the tree must be the same after the run. */
function listing(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const name = `${prefix}${e.name}`;
    return e.isDirectory() ? [name, ...listing(path.join(dir, e.name), `${name}/`)] : [name];
  });
}

describe.skipIf(process.platform === 'win32')('the path policy under random paths (fast-check)', () => {
  let base: string;
  let rw: string;
  let ro: string;
  let before: string[];
  const policy = new PathPolicy();

  beforeAll(() => {
    base = realpathSync.native(mkdtempSync(path.join(tmpdir(), 'dc-path-fuzz-')));
    rw = path.join(base, 'in');
    ro = path.join(base, 'ro');
    const out = path.join(base, 'out');
    mkdirSync(path.join(rw, 'a', 'b'), { recursive: true });
    mkdirSync(path.join(ro, 'c'), { recursive: true });
    mkdirSync(path.join(out, 'x'), { recursive: true });
    writeFileSync(path.join(rw, 'f'), 'x');
    const links: [string, string][] = [
      ['in/l-rel', 'a/b'],
      ['in/l-abs', path.join(rw, 'a')],
      ['in/l-out', '../out'],
      ['in/l-up', '..'],
      ['in/l-chain', 'l-rel'],
      ['in/l-chain-out', 'l-up/out/l-in/../..'],
      ['in/l-loop1', 'l-loop2'],
      ['in/l-loop2', 'l-loop1'],
      ['in/l-dangle-in', 'a/new'],
      ['in/l-dangle-out', '../out/new'],
      ['in/l-file', 'f'],
      ['in/l-ro', '../ro'],
      ['in/a/l-dot', '.'],
      ['ro/l-back', '../in/a'],
      ['ro/l-out', '../out/x'],
      ['out/l-in', '../in/a/b'],
      ['out/l-ro', path.join(ro, 'c')],
      ['out/l-to-l-out', '../in/l-out'],
    ];
    for (const [at, target] of links) symlinkSync(target, path.join(base, at));
    policy.allow(rw);
    policy.allowRead(ro);
    before = listing(base);
  });
  afterAll(() => {
    // Nothing the checks created was left behind (a failed property could leave its folder: say so).
    expect(listing(base)).toEqual(before);
    rmSync(base, { recursive: true, force: true });
  });

  const NAMES = [
    'in',
    'ro',
    'out',
    'a',
    'b',
    'c',
    'x',
    'f',
    'new',
    'l-rel',
    'l-abs',
    'l-out',
    'l-up',
    'l-chain',
    'l-chain-out',
    'l-loop1',
    'l-dangle-in',
    'l-dangle-out',
    'l-file',
    'l-ro',
    'l-dot',
    'l-back',
    'l-in',
    'l-to-l-out',
  ];
  const segment = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...NAMES) },
    { weight: 3, arbitrary: fc.constant('..') },
    { weight: 2, arbitrary: fc.constantFrom('.', '') },
    { weight: 1, arbitrary: fc.constant('a\0') },
  );
  const start = fc.constantFrom('', '/in', '/ro', '/out', '/in/a', 'relative');
  const pathArb = fc
    .tuple(start, fc.array(segment, { maxLength: 8 }), fc.boolean())
    .map(([from, segments, trailing]) => {
      const head = from === 'relative' ? path.relative(process.cwd(), base) || '.' : `${base}${from}`;
      return [head, ...segments].join('/') + (trailing ? '/' : '');
    });

  /** The policy's answer: the canonical path, or the refusal's code. */
  function judge(p: string, access: PathAccess): { value: string } | { refused: string } {
    try {
      return { value: policy.check(p, access) };
    } catch (error) {
      if (error instanceof BridgeError) return { refused: error.code };
      throw error;
    }
  }

  /** mkdir -p, then where it landed for the OS; everything it created is removed again. */
  function landing(p: string): string | undefined {
    let first: string | undefined;
    try {
      first = mkdirSync(p, { recursive: true });
    } catch {
      return undefined;
    }
    const landed = osReal(p);
    if (first !== undefined) rmSync(realpathSync.native(first), { recursive: true });
    return 'real' in landed ? landed.real : undefined;
  }

  type Missing =
    { kind: 'lands'; at: string } | { kind: 'climbs' } | { kind: 'outside-tree' } | { kind: 'unknown' };

  /**
   * Where the OS takes a path that does not exist (yet): mkdir -p's landing, when the longest prefix the OS
   * resolves lies inside the temporary tree (a write test elsewhere would create folders outside it); 'climbs'
   * where a `..` follows the missing part; 'unknown' where mkdir -p cannot follow the path as sent.
   */
  function missingLanding(p: string): Missing {
    const parts = p.split('/');
    let k = 1;
    let prefixReal = osReal(p.startsWith('/') ? '/' : '.');
    for (; k <= parts.length; k++) {
      const next = osReal(parts.slice(0, k).join('/') || '/');
      if (!('real' in next)) break;
      prefixReal = next;
    }
    if (!('real' in prefixReal)) return { kind: 'unknown' };
    if (parts.slice(k).includes('..')) return { kind: 'climbs' };
    if (!inside(prefixReal.real, base)) return { kind: 'outside-tree' };
    const at = landing(p);
    return at === undefined ? { kind: 'unknown' } : { kind: 'lands', at };
  }

  it('allows a path only where the OS takes it inside an allowed folder, and returns that place', () => {
    let allowedCount = 0;
    let existing = 0;
    fc.assert(
      fc.property(pathArb, fc.constantFrom<PathAccess>('read', 'write'), (p, access) => {
        const roots = access === 'read' ? [rw, ro] : [rw];
        const verdict = judge(p, access);
        if (p.includes('\0')) {
          expect(verdict).toEqual({ refused: 'invalid-input' });
          return;
        }
        if ('value' in verdict) {
          allowedCount++;
          expect(roots.some((root) => inside(verdict.value, root))).toBe(true);
        }
        const os = osReal(p);
        if ('real' in os) {
          existing++;
          // It exists: allowed exactly when the OS takes it inside, and then as that very path.
          if (roots.some((root) => inside(os.real, root))) expect(verdict).toEqual({ value: os.real });
          else expect('refused' in verdict).toBe(true);
          return;
        }
        if (os.code !== 'ENOENT') {
          // ENOTDIR (a file with more after it), ELOOP: nothing to open or write there.
          expect('refused' in verdict).toBe(true);
          return;
        }
        const landed = missingLanding(p);
        if (landed.kind === 'climbs' || landed.kind === 'outside-tree') {
          expect('refused' in verdict).toBe(true);
        } else if (landed.kind === 'lands') {
          // mkdir -p of the path as sent lands where the policy said, inside; or it is refused, landing outside.
          if (roots.some((root) => inside(landed.at, root))) expect(verdict).toEqual({ value: landed.at });
          else expect('refused' in verdict).toBe(true);
        } else if ('value' in verdict) {
          // mkdir -p cannot follow the path as sent (a dangling link in the middle): the canonical path the
          // engine gets must itself land where it says.
          expect(landing(verdict.value)).toBe(verdict.value);
        }
      }),
      { numRuns: 4000 },
    );
    // The generator reaches all three outcomes often enough to mean something.
    expect(allowedCount).toBeGreaterThan(400);
    expect(existing).toBeGreaterThan(400);
  }, 30_000);
});
