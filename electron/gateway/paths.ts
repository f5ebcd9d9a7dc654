import { realpathSync } from 'node:fs';
import path from 'node:path';
import { BridgeError } from '../../shared/bridge/protocol.ts';

/** The real location of a path, resolving links through its nearest existing ancestor (it may not exist yet). */
function realLocation(target: string): string {
  const absolute = path.resolve(target);
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(realpathSync(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * The folders the user has allowed the engine to read and write: what they chose in a dialog (desktop),
 * what they passed to `deepcorrect serve --allow` (browser mode), and the bundled resources. A request naming
 * any other path is refused, links included: a path is judged by where it really leads.
 */
export class PathPolicy {
  private readonly roots = new Set<string>();

  allow(root: string): void {
    this.roots.add(realLocation(root));
  }

  allowed(): string[] {
    return [...this.roots];
  }

  /** The path, checked; a BridgeError 'not-allowed' that says how to allow it otherwise. */
  check(target: string): string {
    const real = realLocation(target);
    for (const root of this.roots) {
      if (real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return target;
    }
    throw new BridgeError(
      'not-allowed',
      `${target} is outside the folders this session may use (${this.allowed().join(', ') || 'none'}): choose it with Open… in the desktop app, or start \`deepcorrect serve --allow <folder>\``,
    );
  }
}
