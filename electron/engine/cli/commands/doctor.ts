import type { Command } from 'commander';
import { probeAll } from '../../backend/ladder.ts';
import { releaseBackends } from '../../backend/probes.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show which compute backends work here, which one the engine picks and why, and the device')
    .option('--json', 'print one JSON object instead of a table')
    .action(async (opts: { json?: boolean }) => {
      const { backend } = program.opts<{ backend?: string }>();
      const { probes, choice } = await probeAll({
        forced: backend,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      releaseBackends();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(choice)}\n`);
        return;
      }
      const lines = ['backend      available  device / reason'];
      for (const p of probes) {
        lines.push(
          `${p.name.padEnd(12)} ${(p.available ? 'yes' : 'no').padEnd(10)} ${p.available ? `${p.device} (${p.detail})` : p.detail}`,
        );
      }
      lines.push(
        '',
        `chosen: ${choice.name} (${choice.reason})`,
        `device: ${choice.device}`,
        `threads: ${choice.threads}`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
