/**
 * The real UI in a real browser: Debian's chromium driven by playwright-core against `deepcorrect serve`.
 * Screenshots go to out/e2e/ for review.
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
/** The full Fashion-MNIST (Debian's dataset-fashion-mnist, installed by CI): 60,000 training images. */
const FASHION = '/usr/share/datasets/fashion-mnist';

declare global {
  interface Window {
    __longTasks?: number[];
  }
}

describe.skipIf(!existsSync(CHROMIUM))(
  `the workbench in chromium (needs ${CHROMIUM}: apt-get install chromium)`,
  () => {
    let serve: ServeProcess;
    let browser: Browser;
    let page: Page;
    let allowed: string;

    beforeAll(async () => {
      allowed = await mkdtemp(path.join(tmpdir(), 'dc-e2e-'));
      serve = await startServe(['--allow', allowed, ...(existsSync(FASHION) ? ['--allow', FASHION] : [])]);
      process.stdout.write(`deepcorrect serve ready in ${serve.readyMs.toFixed(0)} ms\n`);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // Long tasks on the renderer's main thread, recorded from the first frame.
      await page.addInitScript(() => {
        window.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__longTasks?.push(e.duration);
        }).observe({ type: 'longtask', buffered: true });
      });
      await mkdir(SHOTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
      await serve?.stop();
      await rm(allowed, { recursive: true, force: true });
    });

    it('loads, shows the engine backend and the demo dataset with thumbnails', async () => {
      await page.goto(serve.url);
      await page.getByTestId('app-ready').waitFor({ timeout: 20_000 });
      // The start page is the Workspace view; the dataset browser is the second view.
      await page.getByTestId('nav-datasets').click();
      await expect.poll(() => page.getByTestId('backend-status').textContent()).toContain('wasm');
      await expect.poll(() => page.getByTestId('thumb').count(), { timeout: 10_000 }).toBeGreaterThan(20);
      const classes = await page.getByTestId('class-row').allTextContents();
      expect(classes.join(' ')).toContain('Ankle boot');
      await page.screenshot({ path: `${SHOTS}/datasets.png` });
    });

    it('moving the blur slider changes the distorted image', async () => {
      await page.getByTestId('thumb').nth(3).click();
      const canvas = page.getByTestId('sample-distorted');
      const clean = page.getByTestId('sample-clean');
      const pixels = (c: typeof canvas) => c.evaluate((el) => (el as HTMLCanvasElement).toDataURL());
      await expect.poll(() => pixels(clean)).not.toBe('data:,');
      const before = await pixels(canvas);
      const slider = page.getByTestId('slider-blur');
      await slider.fill('2');
      await slider.dispatchEvent('input');
      await expect.poll(() => pixels(canvas), { timeout: 10_000 }).not.toBe(before);
      expect(await pixels(canvas)).not.toBe(await pixels(clean));
      await page.screenshot({ path: `${SHOTS}/sample-blur.png` });
    });

    it.skipIf(!existsSync(FASHION))('scrolls the full 60,000-image Fashion-MNIST smoothly', async () => {
      await page.getByTestId('dataset-path').fill(FASHION);
      await page.getByTestId('dataset-open').click();
      const grid = page.getByTestId('thumb-grid');
      await expect.poll(() => grid.getAttribute('data-count'), { timeout: 20_000 }).toBe('60000');
      await page.evaluate(() => (window.__longTasks = []));
      const painted = async (): Promise<number> =>
        page
          .getByTestId('thumb')
          .evaluateAll((els) => els.filter((e) => (e as HTMLCanvasElement).width > 1).length);
      // Fling through the whole split: wheel steps, then jumps to the middle and the end.
      await grid.hover();
      for (let i = 0; i < 20; i++) {
        await page.mouse.wheel(0, 1500);
        await page.waitForTimeout(30);
      }
      for (const fraction of [0.5, 1]) {
        await grid.evaluate((el, f) => (el.scrollTop = f * el.scrollHeight), fraction);
        await page.waitForTimeout(300);
      }
      await expect.poll(painted, { timeout: 10_000 }).toBeGreaterThan(10);
      const indices = await page
        .getByTestId('thumb')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
      expect(Math.max(...indices)).toBe(59_999);
      expect(indices.length).toBeLessThan(400);
      const longTasks = await page.evaluate(() => window.__longTasks ?? []);
      process.stdout.write(
        `60,000-image grid: ${indices.length} thumbnails in the DOM at the end; long tasks while scrolling: ${longTasks.length}, longest ${Math.max(0, ...longTasks).toFixed(0)} ms\n`,
      );
      await page.screenshot({ path: `${SHOTS}/fashion-mnist-60000.png` });
      await page.getByTestId('dataset-demo').click();
      await expect.poll(() => grid.getAttribute('data-count'), { timeout: 20_000 }).toBe('10000');
    });

    it('a training job shows progress, is cancelled from the job panel, and reports cancelled', async () => {
      await page.getByTestId('nav-models').click();
      await page.evaluate(() => (window.__longTasks = []));
      await page.getByTestId('model-train-baseline').click();
      await page.getByTestId('train-epochs').fill('20');
      await page.getByTestId('train-outdir').fill(path.join(allowed, 'cancelled-baseline'));
      await page.getByTestId('train-submit').click();
      const row = page.getByTestId('job-row').last();
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('running');
      // Let it train a few seconds while the page stays responsive.
      await page.waitForTimeout(4000);
      await page.screenshot({ path: `${SHOTS}/training.png` });
      await row.getByTestId('job-cancel').click();
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 5000 }).toBe('cancelled');
      const longTasks = await page.evaluate(() => window.__longTasks ?? []);
      process.stdout.write(
        `renderer long tasks during training: ${longTasks.length}, longest ${Math.max(0, ...longTasks).toFixed(0)} ms\n`,
      );
      await page.screenshot({ path: `${SHOTS}/cancelled.png` });
    });
  },
);
