/**
 * The analysis views in a real browser: a small DeepCorrect study done with the mouse on the demo data, its
 * plotted numbers checked against the engine's report.json, and a screenshot of every view in out/e2e/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyReport } from '../../shared/study.ts';
import { startServe, type ServeProcess } from '../../bench/serve-process.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../bench/chromium.ts';

const SHOTS = 'out/e2e';

declare global {
  interface Window {
    __longTasks?: number[];
  }
}

interface Series {
  name: string;
  y: (number | null)[];
}

describe.skipIf(!existsSync(CHROMIUM))(
  `a study through the analysis views in chromium (needs ${CHROMIUM})`,
  () => {
    let serve: ServeProcess;
    let browser: Browser;
    let page: Page;
    let allowed: string;
    let demoModelId = '';
    const studyDir = (): string => path.join(allowed, 'study');

    /** Navigates to a view and reports how long its first content took to appear. */
    async function open(view: string, firstContent: string): Promise<number> {
      const started = Date.now();
      await page.getByTestId(`nav-${view}`).click();
      await page.getByTestId(firstContent).first().waitFor({ timeout: 10_000 });
      const ms = Date.now() - started;
      process.stdout.write(`${view}: first content in ${ms} ms\n`);
      return ms;
    }

    async function longTasksDuring(work: () => Promise<void>): Promise<number[]> {
      await page.evaluate(() => (window.__longTasks = []));
      await work();
      return page.evaluate(() => window.__longTasks ?? []);
    }

    beforeAll(async () => {
      allowed = await mkdtemp(path.join(tmpdir(), 'dc-e2e-views-'));
      serve = await startServe(['--allow', allowed]);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
      await page.addInitScript(() => {
        window.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__longTasks?.push(e.duration);
        }).observe({ type: 'longtask', buffered: true });
      });
      await mkdir(SHOTS, { recursive: true });
      await page.goto(serve.url);
      await page.getByTestId('app-ready').waitFor({ timeout: 20_000 });
    });
    afterAll(async () => {
      await browser?.close();
      await serve?.stop();
      await rm(allowed, { recursive: true, force: true });
    });

    it('opens the demo model and shows its card', async () => {
      await open('models', 'models-list');
      await page.getByTestId('model-open-demo').first().click();
      await page.getByTestId('model-row').first().waitFor();
      demoModelId = (await page.getByTestId('model-row').first().getAttribute('data-model-id')) ?? '';
      const card = page.getByTestId('model-card');
      await card.waitFor({ timeout: 10_000 });
      await expect
        .poll(() => page.getByTestId('model-card-params').getAttribute('data-total'))
        .toBe('467818');
      expect(await page.getByTestId('model-card-layer').count()).toBe(4);
      await page.screenshot({ path: `${SHOTS}/view-models.png` });
    });

    it('evaluates the model: the chart plots the table’s numbers; a cell opens per class and confusion', async () => {
      await open('evaluation', 'evaluation-form');
      const box = page.getByTestId(`eval-model-${demoModelId}`);
      if (!(await box.isChecked())) await box.check();
      await page.getByTestId('eval-preset').selectOption('custom');
      await page.getByTestId('eval-levels').fill('1,2,3');
      await page.getByTestId('eval-images-per-class').fill('5');
      await page.getByTestId('eval-run').click();
      await expect.poll(() => page.getByTestId('eval-row').count(), { timeout: 60_000 }).toBe(1);
      const chart = page.getByTestId('evaluation-chart');
      await expect.poll(() => chart.getAttribute('data-series')).toMatch(/"y"/);
      const series = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as Series[];
      const cells = page.getByTestId('eval-row').last().getByTestId('eval-cell');
      const values = await cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
      expect(series.at(-1)?.y).toEqual(values);
      expect(values).toHaveLength(4);
      await cells.last().click();
      await page.getByTestId('eval-confusion').waitFor();
      await page.getByTestId('eval-per-class').waitFor();
      await page.screenshot({ path: `${SHOTS}/view-evaluation.png`, fullPage: true });
    });

    it('ranks conv1 and conv2 by the oracle and the proxy, sorts the table, runs the oracle experiment', async () => {
      await open('ranking', 'rank-run');
      await page.getByTestId('rank-layers-none').click();
      await page.getByTestId('rank-layer-conv1').check();
      await page.getByTestId('rank-layer-conv2').check();
      await page.getByTestId('rank-method').selectOption('both');
      await page.getByTestId('rank-levels').selectOption('custom');
      await page.getByTestId('rank-levels-custom').fill('1,2,3');
      await page.getByTestId('rank-images').fill('20');
      await page.getByTestId('rank-run').click();
      // The demo workspace's ranking file is on show from the launch: wait for this job's own ranking.
      await expect
        .poll(() => page.getByTestId('rank-results').getAttribute('data-job-id'), { timeout: 90_000 })
        .toMatch(/^(?!file:)./);
      const table = page.getByTestId('filter-table');
      await expect.poll(() => table.getAttribute('data-count'), { timeout: 90_000 }).toBe('32');
      expect(await page.getByTestId('spearman').getAttribute('data-value')).toMatch(/^-?[\d.]+$/);
      // Ties, cells made worse and the halves' stability, as the ranking reported them.
      expect(Number(await page.getByTestId('rank-ties').getAttribute('data-value'))).toBeLessThanOrEqual(32);
      expect(await page.getByTestId('rank-worse-cells').getAttribute('data-value')).toMatch(/^\d+$/);
      const overlap = Number(await page.getByTestId('rank-stability').getAttribute('data-overlap'));
      expect(overlap).toBeGreaterThanOrEqual(0);
      expect(overlap).toBeLessThanOrEqual(1);
      const taus = async (): Promise<number[]> =>
        page
          .getByTestId('filter-row')
          .locator('[data-column="tau"]')
          .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
      const tasks = await longTasksDuring(async () => {
        await page.getByTestId('filter-sort-tau').click();
        await page.getByTestId('filter-sort-tau').click();
      });
      const sorted = await taus();
      expect(sorted.length).toBeGreaterThan(5);
      const ascending = [...sorted].sort((a, b) => a - b);
      const descending = [...ascending].reverse();
      expect([JSON.stringify(ascending), JSON.stringify(descending)]).toContain(JSON.stringify(sorted));
      process.stdout.write(
        `ranking table sort: ${tasks.length} long tasks, longest ${Math.max(0, ...tasks)} ms\n`,
      );
      await page.getByTestId('filter-thumb').first().waitFor({ timeout: 20_000 });
      await page.screenshot({ path: `${SHOTS}/view-ranking.png`, fullPage: true });

      await page.getByTestId('experiment-per-class').fill('5');
      await page.getByTestId('experiment-run').click();
      const experiment = page.getByTestId('experiment-chart');
      await expect
        .poll(() => page.getByTestId('experiment-summary').getAttribute('data-source'), { timeout: 90_000 })
        .toBe('job');
      await expect.poll(() => experiment.getAttribute('data-series'), { timeout: 90_000 }).toMatch(/conv2/);
      const plotted = JSON.parse((await experiment.getAttribute('data-series')) ?? '{}') as {
        clean: number;
        series: { layer: string; points: [number, number][] }[];
      };
      expect(plotted.series.map((s) => s.layer)).toEqual(['conv1', 'conv2']);
      // Correcting every filter with its clean map would give the clean accuracy; 90% comes close to it.
      for (const s of plotted.series) expect(s.points.at(-1)?.[1]).toBeGreaterThan(s.points[0]?.[1] ?? 1);
      await page.screenshot({ path: `${SHOTS}/view-ranking-experiment.png`, fullPage: true });
    });

    it('keeps what was run in the open (demo) workspace: Reload lists it, an evaluation opens again', async () => {
      // The Ranking view said where its jobs went, before and after. (It may have shown the demo workspace's
      // shipped ranking and experiment before these jobs ended: wait for the jobs themselves.)
      for (const job of ['rank-progress', 'experiment-progress'])
        await expect
          .poll(() => page.getByTestId(job).getAttribute('data-status'), { timeout: 120_000 })
          .toBe('done');
      expect(await page.getByTestId('save-target').first().getAttribute('data-saved')).toBe('true');
      expect(await page.getByTestId('rank-progress-saved').textContent()).toMatch(/^Saved to .+ as “/);
      // One evaluation a model chosen in the Evaluation view (the form may have chosen every open model).
      await open('evaluation', 'evaluation-form');
      const rows = await page.getByTestId('eval-row').count();
      await open('workspace', 'workspace-view');
      await page.getByTestId('workspace-refresh').click();
      const complete = (kind: string) =>
        page.locator(`[data-testid="workspace-artefact"][data-kind="${kind}"][data-status="complete"]`);
      await expect.poll(() => complete('evaluation').count(), { timeout: 10_000 }).toBe(rows);
      expect(await complete('experiment').count()).toBe(1);
      const settings = await complete('ranking').getByTestId('workspace-artefact-settings').allTextContents();
      expect(settings).toContainEqual(
        expect.stringMatching(/at 1, 2, 3; by the oracle and the proxy; .*20 images/),
      );
      for (const text of await complete('evaluation')
        .getByTestId('workspace-artefact-settings')
        .allTextContents())
        expect(text).toMatch(/at 1, 2, 3; test split, 5 images a class/);
      // Opened from the list, an evaluation run here is shown once (as its job's), in the Evaluation view.
      await complete('evaluation').first().getByTestId('workspace-artefact-open').click();
      await page.getByTestId('eval-row').first().waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('eval-row').count()).toBe(rows);
    });

    // A two-seed study with the ablation, at the smallest sizes that still train and rank every variant.
    it('runs a study from the Results view: the plotted numbers are report.json’s', async () => {
      await open('results', 'study-run');
      await page.getByTestId('study-levels').selectOption('custom');
      await page.getByTestId('study-levels-custom').fill('1,2,3');
      await page.getByTestId('study-epochs').fill('1');
      await page.getByTestId('study-beta').fill('0.25');
      await page.getByTestId('study-rank').selectOption('proxy');
      await page.getByTestId('study-rank-images').fill('10');
      await page.getByTestId('study-optimizer').selectOption('adam');
      await page.getByTestId('study-lr').fill('0.001');
      await page.getByTestId('study-train-per-class').fill('4');
      await page.getByTestId('study-test-per-class').fill('5');
      await page.getByTestId('study-seeds').fill('2');
      await page.getByTestId('study-outdir').fill(studyDir());
      // The ranking made above was kept in the demo workspace: the study can follow that file instead of
      // ranking. It ranks conv1 and conv2 only, so the ablation's wider layers do not fit, and the form says so.
      const follow = page.getByTestId('study-ranking-file');
      const options = await follow
        .locator('option')
        .evaluateAll((els) =>
          els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent })),
        );
      const kept = options.find((o) => /both, conv1, conv2, levels 1, 2, 3$/.test(o.text ?? ''));
      expect(kept?.value, JSON.stringify(options)).toMatch(/rankings[\\/][^\\/]+\.json$/);
      await follow.selectOption(kept?.value ?? '');
      expect(await page.getByTestId('study-rank').isDisabled()).toBe(true);
      // Without the ablation it fits: the request passes the contract's check and the study could start.
      await expect.poll(() => page.getByTestId('study-run').isDisabled()).toBe(false);
      expect(await page.getByTestId('study-command').getAttribute('data-command')).toContain(
        `--ranking ${kept?.value}`,
      );
      await page.getByTestId('study-ablation').check();
      await expect
        .poll(() => page.getByTestId('study-problem').textContent())
        .toMatch(/does not rank conv3, conv4, which the study or its ablation corrects/);
      expect(await page.getByTestId('study-run').isDisabled()).toBe(true);
      await follow.selectOption('');
      // The ablation compares the two rankings: with the proxy alone the form says so and will not run.
      await expect.poll(() => page.getByTestId('study-problem').textContent()).toMatch(/“both”/);
      expect(await page.getByTestId('study-run').isDisabled()).toBe(true);
      await page.getByTestId('study-rank').selectOption('both');
      await expect.poll(() => page.getByTestId('study-run').isDisabled()).toBe(false);
      await page.getByTestId('study-run').click();
      await expect
        .poll(() => page.getByTestId('study-progress').getAttribute('data-status'), { timeout: 400_000 })
        .toBe('done');
      const report = JSON.parse(await readFile(path.join(studyDir(), 'report.json'), 'utf8')) as StudyReport;
      const chart = page.getByTestId('results-chart');
      await expect.poll(() => chart.getAttribute('data-series')).toMatch(/"y"/);
      const series = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as Series[];
      expect(series.map((s) => s.y)).toEqual(report.models.map((m) => m.top1));
      for (const m of report.models) {
        const cell = page.locator(
          `[data-testid="results-cell"][data-role="${m.role}"][data-column="meanWithClean"]`,
        );
        expect(Number(await cell.getAttribute('data-value'))).toBe(m.meanWithClean);
      }
      // Two seeds: every accuracy has its interval, and the paired tests' verdict is report.json's.
      expect(report.config.seeds).toEqual([1, 2]);
      await expect.poll(() => page.getByTestId('results-interval').count()).toBe(9);
      expect(await page.getByTestId('comparison-verdict').getAttribute('data-outcome')).toBe(
        report.comparison?.meanWithClean.outcome,
      );
      // The mean, then clean and each of the three levels.
      expect(await page.getByTestId('comparison-table').locator('tbody tr').count()).toBe(1 + 1 + 3);
      // The ablation: the study's own units, then each variant, each mean report.json's.
      const variants = report.variants ?? [];
      expect(report.config.placement).toBe('pre-activation');
      expect(variants.map((v) => v.variant.name)).toEqual([
        'placement-post',
        'layers-conv1-conv2-conv3-conv4',
        'beta-0.5',
        'beta-0.75',
        'rank-proxy',
      ]);
      const rows = page.getByTestId('ablation-row');
      await expect.poll(() => rows.count()).toBe(1 + variants.length);
      for (const v of variants) {
        const mean = rows
          .and(page.locator(`[data-key="${v.variant.name}"]`))
          .locator('td[data-column="meanWithClean"]');
        expect(Number(await mean.getAttribute('data-value'))).toBeCloseTo(
          v.model.meanWithCleanSummary?.mean ?? v.model.meanWithClean,
          12,
        );
      }
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('export-csv').click(),
      ]);
      const csv = await readFile((await download.path()) ?? '', 'utf8');
      expect(csv.toLowerCase()).toContain('baseline');
      expect(csv.split(/\r\n/).filter((l) => l !== '').length).toBeGreaterThanOrEqual(4);
      const saved = async (testid: string): Promise<string> => {
        const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
        return readFile((await file.path()) ?? '', 'utf8');
      };
      const html = await saved('export-html');
      expect(html).toContain('<title>DeepCorrect study: Gaussian blur</title>');
      expect(html).toContain(`id="deepcorrect-report"`);
      expect(await saved('export-svg')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      await page.screenshot({ path: `${SHOTS}/view-results.png`, fullPage: true });
    }, 300_000);

    it('trains units beside fine-tuning in the Correction view, with live curves', async () => {
      await open('correction', 'correct-start');
      await page.getByTestId('correct-epochs').fill('1');
      await page.getByTestId('correct-train-per-class').fill('8');
      await page.getByTestId('correct-optimizer').selectOption('adam');
      await page.getByTestId('correct-lr').fill('0.001');
      await page.getByTestId('correct-outdir').fill(path.join(allowed, 'units'));
      await page.getByTestId('finetune-outdir').fill(path.join(allowed, 'tuned'));
      const params = Number(await page.getByTestId('correct-params').getAttribute('data-value'));
      expect(params).toBeGreaterThan(0);
      await page.getByTestId('correct-start').click();
      for (const side of ['correct', 'finetune'])
        await expect
          .poll(() => page.getByTestId(`${side}-live`).getAttribute('data-status'), { timeout: 120_000 })
          .toBe('done');
      await expect
        .poll(() => page.getByTestId('correct-final').textContent())
        .toContain(params.toLocaleString('en-US'));
      await page.screenshot({ path: `${SHOTS}/view-correction.png`, fullPage: true });
    });

    it('inspects the study’s corrected model and steps through conv2’s filters in ranking order', async () => {
      await open('inspector', 'inspect-model');
      // The study ran two seeds: each seed's models are in its own folder.
      await page.getByTestId('inspect-corrected-path').fill(path.join(studyDir(), 'seed-1', 'deepcorrect'));
      await page.getByTestId('inspect-corrected-path').press('Enter');
      await expect
        .poll(() => page.getByTestId('inspect-corrected').locator('option').count())
        .toBeGreaterThan(1);
      await page.getByTestId('inspect-corrected').selectOption({ label: 'deepcorrect (cnn4+deepcorrect)' });
      await page.getByTestId('inspect-layer').selectOption('conv2');
      const corrected = page.getByTestId('map-corrected');
      await expect.poll(() => corrected.getAttribute('data-max'), { timeout: 20_000 }).toMatch(/\d/);
      await expect.poll(() => page.getByTestId('inspect-loading').count(), { timeout: 20_000 }).toBe(0);
      // One shared scale for clean, distorted and corrected (read together: a new reply changes all three).
      const scales = (): Promise<string[]> =>
        page.evaluate(() =>
          ['map-clean', 'map-distorted', 'map-corrected'].map((id) => {
            const el = document.querySelector(`[data-testid="${id}"]`);
            return `${el?.getAttribute('data-min') ?? ''}..${el?.getAttribute('data-max') ?? ''}`;
          }),
        );
      await expect.poll(async () => new Set(await scales()).size).toBe(1);
      expect(Number((await scales())[0]?.split('..')[1])).toBeGreaterThan(0);
      await expect.poll(() => page.getByTestId('inspect-order').getAttribute('data-ranked')).toBe('true');
      const filter = page.getByTestId('inspect-filter');
      await corrected.click();
      await page.keyboard.press('Home');
      await expect.poll(() => filter.getAttribute('data-rank')).toBe('1');
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => filter.getAttribute('data-rank')).toBe('2');
      await page.keyboard.press('End');
      await expect.poll(() => filter.getAttribute('data-rank')).toBe('32');
      await page.screenshot({ path: `${SHOTS}/view-inspector.png`, fullPage: true });
    });

    it('switches to the dark theme, which every view follows', async () => {
      await page.getByTestId('theme-toggle').selectOption('dark');
      await expect
        .poll(() => page.evaluate(() => document.documentElement.getAttribute('data-theme')))
        .toBe('dark');
      await open('results', 'results-chart');
      await page.screenshot({ path: `${SHOTS}/view-results-dark.png`, fullPage: true });
      await open('ranking', 'filter-table');
      await page.screenshot({ path: `${SHOTS}/view-ranking-dark.png` });
      await page.getByTestId('theme-toggle').selectOption('light');
    });
  },
);
