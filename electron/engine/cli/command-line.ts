/** The command as typed, for the provenance of what it writes (arguments with spaces quoted). */
export function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a));
  return ['deepcorrect', ...args].join(' ');
}
