/**
 * The Workspace start page in a real browser: the demo workspace opens on first run with its model, a new
 * workspace is created in an allowed folder, a small study runs into it from the Results view, and the
 * workspace then lists the study complete and checks sound. Screenshot: out/e2e/view-workspace.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../../bench/serve-process.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../bench/chromium.ts';

const SHOTS = 'out/e2e';

describe.skipIf(!existsSync(CHROMIUM))(`the Workspace start page in chromium (needs ${CHROMIUM})`, () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let tmp: string;
  let allowed: string;
  const workDir = (): string => path.join(allowed, 'my-work');

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'dc-e2e-workspace-'));
    allowed = path.join(tmp, 'allowed');
    await mkdir(allowed);
    serve = await startServe(['--allow', allowed], {
      DEEPCORRECT_DEMO_WORKSPACE: path.join(tmp, 'demo-workspace'),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('opens the demo workspace on first run; its model opens in the Models view', async () => {
    await page.goto(serve.url);
    await page.getByTestId('app-ready').waitFor({ timeout: 20_000 });
    await page.getByTestId('workspace-view').waitFor();
    const model = page.locator('[data-testid="workspace-artefact"][data-kind="model"]');
    await model.waitFor({ timeout: 20_000 });
    expect(await model.getAttribute('data-status')).toBe('complete');
    expect(await page.locator('[data-testid="workspace-artefact"][data-kind="dataset"]').count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('workspace-recent-row').first().getAttribute('data-path'))
      .toBe(path.join(tmp, 'demo-workspace'));
    await model.getByTestId('workspace-artefact-open').click();
    await page.getByTestId('model-card').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('model-card-params').getAttribute('data-total')).toBe('467818');

    // Its dataset reference opens the referenced folder in the Datasets view.
    await page.keyboard.press('Alt+1');
    const dataset = page.locator('[data-testid="workspace-artefact"][data-kind="dataset"]');
    await dataset.getByTestId('workspace-artefact-open').click();
    await expect.poll(() => page.getByTestId('thumb').count(), { timeout: 10_000 }).toBeGreaterThan(10);
  });

  it('creates a workspace, runs a study into it, lists it complete and checks it sound', async () => {
    await page.keyboard.press('Alt+1');
    await page.getByTestId('workspace-view').waitFor();
    // A folder outside the allowed ones is refused with the engine's message.
    await page.getByTestId('workspace-path').fill(path.join(tmp, 'not-allowed'));
    await page.getByTestId('workspace-create').click();
    await page
      .getByText(/not-allowed|allowed folder|not allowed/i)
      .first()
      .waitFor({ timeout: 10_000 });
    expect(existsSync(path.join(tmp, 'not-allowed'))).toBe(false);

    await page.getByTestId('workspace-path').fill(workDir());
    await page.getByTestId('workspace-create-name').fill('My work');
    await page.getByTestId('workspace-create').click();
    await expect
      .poll(() => page.getByTestId('workspace-current').getAttribute('data-root'), { timeout: 10_000 })
      .toBe(workDir());
    expect(existsSync(path.join(workDir(), 'deepcorrect-workspace.json'))).toBe(true);

    await page.getByTestId('nav-results').click();
    await page.getByTestId('study-run').waitFor({ timeout: 10_000 });
    await page.getByTestId('study-levels').selectOption('custom');
    await page.getByTestId('study-levels-custom').fill('1,2');
    await page.getByTestId('study-epochs').fill('1');
    await page.getByTestId('study-beta').fill('0.25');
    await page.getByTestId('study-rank').selectOption('proxy');
    await page.getByTestId('study-rank-images').fill('20');
    await page.getByTestId('study-optimizer').selectOption('adam');
    await page.getByTestId('study-lr').fill('0.001');
    await page.getByTestId('study-train-per-class').fill('6');
    await page.getByTestId('study-test-per-class').fill('5');
    // The form starts from the README's three-seed study; one seed is enough here.
    await page.getByTestId('study-seeds').fill('1');
    await page.getByTestId('study-into-workspace').check();
    expect(await page.getByTestId('study-outdir').count()).toBe(0);
    await page.getByTestId('study-run').click();
    await expect
      .poll(() => page.getByTestId('study-progress').getAttribute('data-status'), { timeout: 180_000 })
      .toBe('done');

    await page.getByTestId('nav-workspace').click();
    const study = page.locator('[data-testid="workspace-artefact"][data-kind="study"]');
    await expect.poll(() => study.getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    expect(await study.count()).toBe(1);
    await page.getByTestId('workspace-check').click();
    const problems = page.getByTestId('workspace-problems');
    await expect.poll(() => problems.getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');
    expect(await problems.getAttribute('data-count')).toBe('0');
    expect(
      await page
        .getByTestId('workspace-recent-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path'))),
    ).toEqual([workDir(), path.join(tmp, 'demo-workspace')]);
    await page.screenshot({ path: `${SHOTS}/view-workspace.png`, fullPage: true });

    // The study opens in Results from the workspace.
    await study.getByTestId('workspace-artefact-open').click();
    await page.getByTestId('results-study').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('results-study').getAttribute('data-key')).toContain(
      path.join(workDir(), 'studies'),
    );
  }, 240_000);
});
