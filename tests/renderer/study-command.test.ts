import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STUDY_DEFAULTS } from '../../shared/bridge/defaults.ts';
import { defaultUnitSettings } from '../../renderer/src/composables/use-unit-settings.ts';
import { studyCommand, studyStart, type StudyCommandSettings } from '../../renderer/src/lib/study-command.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The study form's settings as it starts (StudyForm.vue), on a model whose first two conv layers are conv1-2. */
function started(): StudyCommandSettings {
  const unit = defaultUnitSettings();
  return {
    ...unit,
    ...studyStart(),
    levelsName: unit.levelChoice,
    rankMethod: STUDY_DEFAULTS.rankMethod,
    testPerClass: '',
    ablation: false,
    layers: ['conv1', 'conv2'],
    defaultLayers: ['conv1', 'conv2'],
  };
}

describe('the study form and the command line', () => {
  it("starts from the README's study of the demo, flag for flag", () => {
    const command = studyCommand(started());
    expect(command).toBe(
      'npx deepcorrect study --distortion blur --seeds 3 --rank-images 200 --train-per-class 100 --val 0.5',
    );
    // The README runs exactly this (not a longer command that starts the same way).
    expect(readme).toMatch(new RegExp(`\`${command.replaceAll('.', '\\.')}\``));
  });

  it('names each setting that differs from the command’s defaults, and only those', () => {
    const s = started();
    expect(
      studyCommand({
        ...s,
        levelsName: '1,2,3',
        seeds: 1,
        epochs: 3,
        rankImages: '',
        trainPerClass: '',
        validationFraction: '',
        placement: 'post-activation',
        layers: ['conv1', 'conv2', 'conv3'],
        rankMethod: 'proxy',
        optimizer: { kind: 'adam', learningRate: 0.001, momentum: 0.9, nesterov: true },
        testPerClass: 5,
        ablation: true,
        outDir: '/tmp/my study',
      }),
    ).toBe(
      "npx deepcorrect study --distortion blur --levels 1,2,3 --epochs 3 --placement post --layers conv1,conv2,conv3 --rank proxy --optimizer adam --test-per-class 5 --ablation --out '/tmp/my study'",
    );
    expect(
      studyCommand({ ...s, optimizer: { ...s.optimizer, learningRate: 0.03, nesterov: false } }),
    ).toContain('--unit-lr 0.03 --finetune-lr 0.03 --no-nesterov');
  });
});

describe('a study that follows a saved ranking', () => {
  it('names the file instead of the ranking method and images, which are the file’s', () => {
    const s = started();
    const command = studyCommand({ ...s, rankMethod: 'proxy', ranking: '/shared/merged ranking.json' });
    expect(command).toBe(
      "npx deepcorrect study --distortion blur --seeds 3 --train-per-class 100 --val 0.5 --ranking '/shared/merged ranking.json'",
    );
    expect(command).not.toMatch(/--rank |--rank-images/);
  });
});
