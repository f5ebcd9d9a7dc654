/**
 * The first session (issue 18): launched on a fresh demo workspace, the Workspace page lists the shipped study
 * with a guided start, and every analysis view opens on that study without running a job: Results on its
 * table, Ranking on its filter tables and the oracle experiment saved with the ranking, Correction on its
 * training curves, the Inspector on the first seed's corrected model at a mid level with the most-corrected
 * filter selected. Each figure is checked against the files the workspace holds.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyReport } from '../../shared/study.ts';
import type { WorkspaceManifest } from '../../shared/workspace.ts';
import { midLevel, mostCorrectedFilter, newestComplete } from '../../renderer/src/lib/first-view.ts';
import { startServe, type ServeProcess } from '../../bench/serve-process.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../bench/chromium.ts';
import { FIRST_VIEW_READY, STUDY_LISTED, STUDY_VIEWS, timeView } from '../../bench/first-view-bench.ts';

const SHOTS = 'out/e2e';

interface SavedRankingFile {
  layers: { layer: string; order: number[]; tau?: number[] }[];
  experiment?: { layers: unknown[] };
}

describe.skipIf(!existsSync(CHROMIUM))(
  `the first view on the demo workspace's study (needs ${CHROMIUM})`,
  () => {
    let serve: ServeProcess;
    let browser: Browser;
    let page: Page;
    let root = '';
    let studyDir = '';
    let report: StudyReport;
    let ranking: SavedRankingFile;
    let rankingFile = '';

    /** The first visit of a view: the time until all its first content shows. */
    async function visit(view: string): Promise<number> {
      const selectors = STUDY_VIEWS.find(([v]) => v === view)?.[1] ?? [];
      const ms = await timeView(page, view, selectors, 15_000);
      process.stdout.write(`${view}: first content in ${ms} ms\n`);
      return ms;
    }

    beforeAll(async () => {
      // startServe points DEEPCORRECT_DEMO_WORKSPACE at a new temporary folder: a first run.
      serve = await startServe();
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(serve.url);
      await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
    });
    afterAll(async () => {
      await browser?.close();
      await serve?.stop();
    });

    it('lists the study complete on the Workspace page, with the guided start pointing at it', async () => {
      await page.locator(STUDY_LISTED).first().waitFor({ timeout: 30_000 });
      root = (await page.getByTestId('workspace-current').getAttribute('data-root')) ?? '';
      const manifest = JSON.parse(
        readFileSync(path.join(root, 'deepcorrect-workspace.json'), 'utf8'),
      ) as WorkspaceManifest;
      const study = newestComplete(manifest.artefacts, 'study');
      const saved = newestComplete(manifest.artefacts, 'ranking');
      expect(study, 'the demo workspace holds a complete study').toBeDefined();
      expect(saved, 'and a complete ranking').toBeDefined();
      studyDir = path.join(root, study?.path ?? '');
      rankingFile = path.join(root, saved?.path ?? '');
      report = JSON.parse(readFileSync(path.join(studyDir, 'report.json'), 'utf8')) as StudyReport;
      ranking = JSON.parse(readFileSync(rankingFile, 'utf8')) as SavedRankingFile;

      // A landmark named by its heading, each step a heading of its own and its actions buttons.
      const guided = page.getByRole('region', { name: 'Start here' });
      expect(await guided.getAttribute('data-testid')).toBe('guided-start');
      expect(await guided.getByRole('heading', { level: 3 }).allTextContents()).toEqual([
        'Look at the finished study',
        'Run it again yourself',
        'Open your own data',
      ]);
      expect(await guided.getByRole('button', { name: 'Open in Results' }).count()).toBe(1);
      expect(await page.getByTestId('guided-look').getAttribute('data-study')).toBe(study?.id);
      await page.locator(FIRST_VIEW_READY).waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('guided-rerun-time').textContent()).toContain(
        `on ${report.backend} (${report.device}) when it was made`,
      );
      await page.screenshot({ path: `${SHOTS}/first-view-workspace.png` });
    }, 60_000);

    it('Results shows the study’s table (the guided start’s button, from the keyboard)', async () => {
      await page.getByTestId('guided-results').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('results-table').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('results-study').getAttribute('data-key')).toBe(`path:${studyDir}`);
      // One row per model, the mean over clean and levels of each as report.json has it.
      for (const m of report.models) {
        const cell = page.locator(
          `[data-testid="results-cell"][data-role="${m.role}"][data-column="meanWithClean"]`,
        );
        expect(Number(await cell.getAttribute('data-value'))).toBeCloseTo(m.meanWithClean, 12);
      }
      await page.getByTestId('nav-workspace').click();
    });

    it('Ranking shows the ranking’s filter tables and the oracle experiment saved with it', async () => {
      await visit('ranking');
      const results = page.getByTestId('rank-results');
      expect(await results.getAttribute('data-path')).toBe(rankingFile);
      const tabs = await page
        .getByTestId('rank-layer-tab')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
      expect(tabs).toEqual(ranking.layers.map((l) => l.layer));
      expect(await page.getByTestId('filter-row').count()).toBeGreaterThan(0);
      if (ranking.experiment !== undefined) {
        await page.getByTestId('experiment-chart').waitFor({ timeout: 10_000 });
        expect(await page.getByTestId('experiment-summary').getAttribute('data-source')).toBe('file');
      }
      await page.screenshot({ path: `${SHOTS}/first-view-ranking.png` });
    });

    it('Correction shows the study’s training curves: the validation means of report.json', async () => {
      await visit('correction');
      const units = report.models.find((m) => m.role === 'deepcorrect');
      const history = (units?.seeds?.[0]?.training ?? units?.training)?.history ?? [];
      expect(history.length).toBeGreaterThan(0);
      const plotted = JSON.parse(
        (await page.getByTestId('study-correct-val-chart').getAttribute('data-values')) ?? '[]',
      ) as [number, number][];
      expect(plotted.map(([epoch]) => epoch)).toEqual(history.map((h) => h.epoch));
      plotted.forEach(([, v], i) => expect(v).toBeCloseTo(history[i]?.valMean ?? Number.NaN, 9));
      await page.screenshot({ path: `${SHOTS}/first-view-correction.png` });
    });

    it('the Inspector opens the corrected model at a mid level with the most-corrected filter selected', async () => {
      await visit('inspector');
      const top = mostCorrectedFilter(ranking, report.config.layers);
      expect(top).toBeDefined();
      expect(await page.getByTestId('inspect-layer').inputValue()).toBe(top?.layer);
      const shown = page.getByTestId('inspect-filter');
      expect(await shown.getAttribute('data-filter')).toBe(String(top?.filter));
      expect(await shown.getAttribute('data-rank')).toBe('1');
      expect(await page.getByTestId('inspect-kind').inputValue()).toBe(report.config.kind);
      expect(Number(await page.getByTestId('inspect-level-value').textContent())).toBeCloseTo(
        midLevel(report.config.levels) ?? Number.NaN,
        6,
      );
      expect(await page.getByTestId('inspect-split').inputValue()).toBe('test');
      const corrected = page.getByTestId('inspect-corrected');
      expect(await corrected.inputValue()).not.toBe('');
      // Drawn: the corrected map has its layer's size.
      await expect
        .poll(() =>
          page.locator('canvas[data-testid="map-corrected"]').evaluate((c: HTMLCanvasElement) => c.width),
        )
        .toBeGreaterThan(1);
      await page.screenshot({ path: `${SHOTS}/first-view-inspector.png` });
    });

    it('ran no job to show all this', async () => {
      expect(await page.getByTestId('job-row').count()).toBe(0);
    });
  },
);
