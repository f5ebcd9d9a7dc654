import path from 'node:path';
import type { Command } from 'commander';
import { subcommandFlags } from '../subcommand-flags.ts';
import { keptLine } from '../kept-line.ts';
import { shardText, type Shard } from '../../../../shared/shard.ts';
import type { RankOptions } from '../../rank/rank-filters.ts';
import type { RankingResult } from '../../rank/types.ts';
import type { CliEngine } from '../engine-session.ts';
import { checkOutput, checkWorkspaceFolder, RANKING_FILE } from '../input-check.ts';
import { commandLine } from '../command-line.ts';

/** What `rank --shard` passes on: the rank options without the model and dataset, which the engine opens. */
export type ShardRankInput = Omit<RankOptions, 'model' | 'dataset' | 'modelName' | 'signal' | 'onProgress'>;

/**
 * `rank --shard I/N --out PART`: the slice I of the ranking's work (rank/rank-shard.ts), written whole or not
 * at all, so a task killed mid-shard leaves nothing a merge would take; rerunning that index completes the set.
 */
export async function rankOneShard(
  engine: CliEngine,
  ids: { modelId: string; datasetId: string },
  input: ShardRankInput,
  shard: Shard,
  out: string,
  reporting: Pick<RankOptions, 'signal' | 'onProgress'>,
): Promise<string> {
  const { modelAndDataset } = await import('../../use-cases/open-pair.ts');
  const { rankShard } = await import('../../rank/rank-shard.ts');
  const { writePart } = await import('../../shard/part-file.ts');
  const { base, dataset } = modelAndDataset(engine.session, ids.modelId, ids.datasetId);
  const part = await rankShard(
    { ...input, model: base.model, dataset, modelName: base.metadata.arch, ...reporting },
    shard,
  );
  part.body.modelFolder = path.resolve(base.path);
  await writePart(out, part);
  const filters = part.body.slices.reduce((sum, s) => sum + (s.to - s.from), 0);
  const slices = part.body.slices.map((s) => `${s.layer} ${s.from}-${s.to - 1}`).join(', ');
  return `shard ${shardText(shard)}: ${filters} filters (${slices === '' ? 'none: more shards than work' : slices}) on ${part.settings.header.rankingImages} images in ${part.seconds.toFixed(1)} s (${part.backend}); part written to ${path.resolve(out)}\n`;
}

interface MergeFlags {
  out?: string;
  json?: boolean;
  workspace?: string;
}

/** `rank merge PART... --out FILE`: the parts of one sharded ranking put together into the ranking file. */
export function registerRankMerge(rank: Command, format: (r: RankingResult) => string): void {
  rank
    .command('merge')
    .description(
      'merge the parts of a sharded ranking (rank --shard I/N --out PART) into the ranking of one run: refuses parts of different settings, and a missing or doubled shard',
    )
    .argument('<parts...>', 'every part file of the sharded ranking, in any order')
    .option('--out <file>', 'write the merged ranking as JSON (the format of rank --out)')
    .option('--json', 'print the merged ranking as JSON')
    .option(
      '--workspace <folder>',
      'also keep the merged ranking in this workspace (its rankings), where the app lists it',
    )
    .action(async (files: string[], own: MergeFlags) => {
      const opts = subcommandFlags(
        rank,
        'merge',
        own,
        ['out', 'json', 'workspace'],
        "the parts' settings are the ranking's",
      );
      if (opts.out === undefined && opts.json !== true && opts.workspace === undefined)
        throw new Error('say where the merged ranking goes: --out FILE, --workspace FOLDER or --json');
      if (opts.out !== undefined) await checkOutput('--out', opts.out, RANKING_FILE);
      if (opts.workspace !== undefined) await checkWorkspaceFolder('--workspace', opts.workspace);
      const { readParts } = await import('../../shard/part-file.ts');
      const { mergeRankParts } = await import('../../rank/merge-rank-parts.ts');
      type Parts = Parameters<typeof mergeRankParts>[0];
      const parts: Parts = await readParts(files, 'rank');
      const merged = mergeRankParts(parts);
      const text = `${JSON.stringify(merged, null, 2)}\n`;
      if (opts.out !== undefined) {
        const { writeFileAtomic } = await import('../../io/atomic-write.ts');
        await writeFileAtomic(opts.out, text);
      }
      if (opts.workspace !== undefined) {
        const { saveMergedRanking } = await import('../../use-cases/save-merged.ts');
        keptLine(await saveMergedRanking(opts.workspace, merged, parts, commandLine()));
      }
      if (opts.json) process.stdout.write(text);
      else
        process.stdout.write(
          `merged ${parts.length} parts (${merged.seconds.toFixed(1)} s of work in all, the longest shard ${Math.max(...(merged.shards?.seconds ?? [0])).toFixed(1)} s)\n${format(merged)}`,
        );
    });
}
