import path from 'node:path';

/** Whether `child` is `root` itself or lies inside it (both absolute and normalised, or both real). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
