/** Typed paths: the engine takes only absolute ones (its path policy resolves nothing against a working folder). */

/** POSIX (/…), a Windows drive (C:\ or C:/) or a UNC share (\\server\…). */
export function isAbsolutePath(path: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path);
}

/** Why a typed path cannot be sent, or null; `empty` asks for it while the field is empty. */
export function pathProblem(path: string, empty: string): string | null {
  const p = path.trim();
  if (p === '') return empty;
  return isAbsolutePath(p) ? null : 'The path must be absolute.';
}
