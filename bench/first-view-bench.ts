/**
 * Issue 18's first-session targets, measured in the real UI (browser mode in Debian's chromium): a first launch
 * from a fresh state (`deepcorrect serve` with an empty demo-workspace folder, until the Workspace page lists
 * the demo study complete) under 5 s, and every view's first content with the demo study open under 1 s of
 * navigating to it, without running a job. The browser is started before the clock, as a user's already runs;
 * `npm run build` is not counted (npm start runs it first).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServe, type ServeProcess } from './serve-process.ts';
import { round } from './train-bench.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.ts';

export const FIRST_LAUNCH_TARGET_MS = 5000;
export const VIEW_TARGET_MS = 1000;

/** The Workspace page's row of the demo study, complete. */
export const STUDY_LISTED = '[data-testid="workspace-artefact"][data-kind="study"][data-status="complete"]';

const NO_STUDY =
  'the demo workspace lists no complete study (is resources/studies/fashion-mnist-blur missing? bash resources/studies/make-demo-study.sh)';

/** The guided start once the views' files are open (stores/first-view.ts state 'ready'). */
export const FIRST_VIEW_READY = '[data-testid="guided-start"][data-first-view="ready"]';

/**
 * Each view's nav id and what shows its first content with the demo study open: every selector must match
 * (Ranking: a filter row of the study's ranking; Correction: the study's drawn curves; Results: its table;
 * Inspector: the corrected map of the most-corrected filter, first in ranking order).
 */
export const STUDY_VIEWS: [view: string, selectors: string[]][] = [
  ['results', ['[data-testid="results-table"]']],
  ['ranking', ['[data-testid="filter-row"]']],
  [
    'correction',
    ['[data-testid="study-correct-curves"] canvas', '[data-testid="study-finetune-curves"] canvas'],
  ],
  [
    'inspector',
    [
      '[data-testid="inspect-filter"][data-position="0"][data-rank="1"]',
      'canvas[data-testid="map-corrected"]',
    ],
  ],
  ['datasets', ['[data-testid="thumb"]']],
  ['models', ['[data-testid="model-row"]']],
  ['evaluation', ['[data-testid="evaluation-form"]']],
];

export interface FirstViewBenchOptions {
  print: (line: object) => void;
  log: (line: string) => void;
}

/** Milliseconds from navigating to `view` until every selector matches (first visit of the view). */
export async function timeView(
  page: Page,
  view: string,
  selectors: string[],
  timeoutMs = 20_000,
): Promise<number> {
  const started = performance.now();
  await page.getByTestId(`nav-${view}`).click();
  for (const s of selectors) await page.locator(s).first().waitFor({ timeout: timeoutMs });
  return round(performance.now() - started, 1);
}

/** `npm run bench -- --only ui`, first part: one JSON line for the launch, one per view, then the targets. */
export async function benchFirstView(options: FirstViewBenchOptions): Promise<void> {
  const { print, log } = options;
  const { chromium } = await import('playwright-core');
  const demo = await mkdtemp(path.join(tmpdir(), 'dc-bench-first-'));
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    log('ui: first launch with an empty demo-workspace folder…');
    const started = performance.now();
    serve = await startServe([], { DEEPCORRECT_DEMO_WORKSPACE: path.join(demo, 'demo-workspace') });
    const serveMs = performance.now() - started;
    await page.goto(serve.url);
    // The demo workspace is made in one go: once it lists anything, it lists the study if one is shipped.
    await page.getByTestId('workspace-artefact').first().waitFor({ timeout: 60_000 });
    if ((await page.locator(STUDY_LISTED).count()) === 0) {
      const listedMs = round(performance.now() - started, 1);
      print({ group: 'ui', name: 'first-launch', workspaceListedMs: listedMs, met: false, reason: NO_STUDY });
      return;
    }
    const launchMs = round(performance.now() - started, 1);
    const launchMet = launchMs <= FIRST_LAUNCH_TARGET_MS;
    print({
      group: 'ui',
      name: 'first-launch',
      ms: launchMs,
      serveReadyMs: round(serveMs, 1),
      pageMs: round(launchMs - serveMs, 1),
      targetMs: FIRST_LAUNCH_TARGET_MS,
      met: launchMet,
    });

    // "With the demo study open": the views' files read (in the background, from the listing on).
    await page.locator(FIRST_VIEW_READY).waitFor({ timeout: 60_000 });
    print({ group: 'ui', name: 'study-open', ms: round(performance.now() - started, 1) });

    const views: { view: string; ms: number }[] = [];
    for (const [view, selectors] of STUDY_VIEWS) {
      const ms = await timeView(page, view, selectors);
      views.push({ view, ms });
      print({
        group: 'ui',
        name: 'first-view',
        view,
        ms,
        targetMs: VIEW_TARGET_MS,
        met: ms <= VIEW_TARGET_MS,
      });
    }
    // What the views' files took to open, step by step, as the page recorded it (all in the background).
    await page.getByTestId('nav-workspace').click();
    const guided = page.getByTestId('guided-start');
    const steps = JSON.parse((await guided.getAttribute('data-first-view-ms')) ?? '{}') as Record<
      string,
      number
    >;
    const jobs = await page.getByTestId('job-row').count();
    print({
      group: 'ui',
      name: 'first-view-steps',
      state: await guided.getAttribute('data-first-view'),
      steps,
      jobs,
    });

    const slowest = views.reduce((a, b) => (b.ms > a.ms ? b : a));
    print({
      group: 'ui',
      name: 'first-session-targets',
      firstLaunchMs: launchMs,
      firstLaunchTargetMs: FIRST_LAUNCH_TARGET_MS,
      slowestView: slowest.view,
      slowestViewMs: slowest.ms,
      viewTargetMs: VIEW_TARGET_MS,
      jobsRun: jobs,
      met: launchMet && slowest.ms <= VIEW_TARGET_MS && jobs === 0,
    });
  } finally {
    await browser?.close();
    await serve?.stop();
    await rm(demo, { recursive: true, force: true });
  }
}
