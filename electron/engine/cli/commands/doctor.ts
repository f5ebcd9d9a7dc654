import type { Command } from 'commander';
import type { BackendProbe } from '../../../../shared/backends.ts';
import { watchGpuFaults } from '../lazy-engine.ts';

/** One row per backend; a software GPU adapter shows as refused rather than missing. */
function table(probes: BackendProbe[]): string[] {
  const lines = ['backend      available  device / reason'];
  for (const p of probes) {
    const available = p.available ? 'yes' : p.software === true ? 'refused' : 'no';
    const text = p.available ? `${p.device} (${p.detail})` : p.detail;
    lines.push(`${p.name.padEnd(12)} ${available.padEnd(10)} ${text}`);
  }
  return lines;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show which compute backends work here, which one the engine picks and why, and the device')
    .option('--json', 'print one JSON object instead of a table')
    .action(async (opts: { json?: boolean }) => {
      const { backend } = program.opts<{ backend?: string }>();
      await watchGpuFaults();
      const { BackendError, probeAll } = await import('../../backend/ladder.ts');
      const { releaseBackends } = await import('../../backend/probes.ts');
      let found: Awaited<ReturnType<typeof probeAll>>;
      try {
        found = await probeAll({ forced: backend, log: (l) => process.stderr.write(`${l}\n`) });
      } catch (error) {
        // A forced backend that cannot run: the table still says what can.
        if (error instanceof BackendError && error.probes.length > 0 && opts.json !== true)
          process.stdout.write(`${table(error.probes).join('\n')}\n\n`);
        throw error;
      } finally {
        releaseBackends();
      }
      const { probes, choice } = found;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(choice)}\n`);
        return;
      }
      const lines = table(probes);
      lines.push(
        '',
        `chosen: ${choice.name} (${choice.reason})`,
        `device: ${choice.device}`,
        `threads: ${choice.threads}`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
