import { InvalidArgumentError, type Command } from 'commander';

/**
 * A subcommand's own flags, where its parent command has options of the same names. Commander gives an option
 * typed after a subcommand to the first command up the line that knows it (the root's options are not
 * positional), so `rank merge ... --out F` sets rank's --out: the `shared` names are taken from the parent
 * when the subcommand did not get them itself. Any other parent option typed on the command line is refused
 * rather than silently ignored, naming it and what the subcommand takes.
 */
export function subcommandFlags<T extends object>(
  parent: Command | null,
  sub: string,
  own: T,
  shared: readonly (keyof T & string)[],
  why: string,
): T {
  if (parent === null) return own;
  const typed = parent.options.filter((o) => parent.getOptionValueSource(o.attributeName()) === 'cli');
  const stray = typed.filter((o) => !(shared as readonly string[]).includes(o.attributeName()));
  if (stray.length > 0)
    throw new InvalidArgumentError(
      `'${parent.name()} ${sub}' takes no ${stray.map((o) => o.long ?? o.flags).join(', ')} (it takes ${shared.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}): ${why}`,
    );
  const given = parent.opts<Partial<T>>();
  const taken: Partial<T> = {};
  for (const key of shared) {
    // Unset here (a boolean flag defaults to false) but typed and parsed by the parent.
    const unset = own[key] === undefined || own[key] === false;
    const fromParent = typed.some((o) => o.attributeName() === key);
    if (unset && fromParent && given[key] !== undefined) taken[key] = given[key];
  }
  return { ...own, ...taken };
}
