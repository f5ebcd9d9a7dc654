/** What a workspace records of a study it holds, run there or shipped: its model folders and a settings summary. */
import type { StudyConfig } from '../../../shared/study.ts';
import { studyModelDirs } from '../study/study-layout.ts';

export function studyProvenance(config: StudyConfig, artefactPath: string): Record<string, unknown> {
  return {
    models: studyModelDirs(config).map((d) => `${artefactPath}/${d}`),
    config: { kind: config.kind, levels: config.levels, layers: config.layers, beta: config.beta },
  };
}
