/**
 * Browser mode's folder browser in a real browser: opening a dataset and a model without typing a path, with
 * the keyboard (type-ahead, Enter, Escape) and the mouse; the allowed folders only, a link out shown as such.
 * Screenshot: out/e2e/folder-browser.png.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../../bench/serve-process.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../bench/chromium.ts';
import { demoModelDir } from '../../electron/engine/resources.ts';

const SHOTS = 'out/e2e';

describe.skipIf(!existsSync(CHROMIUM))(`the folder browser in chromium (needs ${CHROMIUM})`, () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let tmp: string;
  let allowed: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'dc-e2e-browse-'));
    allowed = path.join(tmp, 'allowed');
    // An image-folder dataset of two classes (real 8x8 PNGs), a model, a link that leads outside.
    for (const [cls, i] of [
      ['cat', 0],
      ['cat', 1],
      ['dog', 2],
      ['dog', 3],
    ] as const) {
      await mkdir(path.join(allowed, 'pets', cls), { recursive: true });
      await sharp(new Uint8Array(64).fill(40 * i), { raw: { width: 8, height: 8, channels: 1 } })
        .png()
        .toFile(path.join(allowed, 'pets', cls, `${i}.png`));
    }
    await cp(demoModelDir(), path.join(allowed, 'model'), { recursive: true });
    await mkdir(path.join(tmp, 'outside'));
    await symlink(path.join(tmp, 'outside'), path.join(allowed, 'to-outside'));
    serve = await startServe(['--allow', allowed], {
      DEEPCORRECT_DEMO_WORKSPACE: path.join(tmp, 'demo-workspace'),
      XDG_DATA_HOME: path.join(tmp, 'data'),
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

  it('opens a dataset from the allowed folders with the keyboard, and Escape closes it', async () => {
    await page.goto(serve.url);
    await page.getByTestId('app-ready').waitFor({ timeout: 20_000 });
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('dataset-browse').click();
    const dialog = page.getByTestId('dataset-browse-dialog');
    await dialog.waitFor();
    const entries = dialog.getByTestId('dataset-browse-dialog-entry');
    // The top: the allowed folders, the bundled demo dataset among them marked as a dataset with its classes.
    const root = entries.and(page.locator(`[data-name="${allowed}"]`));
    await root.waitFor();
    const demo = entries.and(page.locator('[data-kind="dataset"]')).first();
    expect(await demo.textContent()).toContain('T-shirt/top');

    await root.click();
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.getByTestId('dataset-browse-dialog-path').textContent()).toBe(allowed);
    const kinds = async (): Promise<string[]> =>
      entries.evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('data-name')}:${e.getAttribute('data-kind')}`),
      );
    await expect.poll(kinds).toEqual(['model:model', 'pets:dataset', 'to-outside:outside']);
    expect(await entries.nth(1).textContent()).toContain('2 classes: cat, dog');
    await page.screenshot({ path: `${SHOTS}/folder-browser.png` });

    // The focus is in the list: typing "p" picks pets, Enter opens it in the Datasets view.
    await page.keyboard.press('p');
    await expect.poll(() => entries.nth(1).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.getByTestId('class-row').allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining('cat'), expect.stringContaining('dog')]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'dataset-browse',
    );

    await page.getByTestId('dataset-browse').click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'dataset-browse',
    );
  });

  it('opens a model from the Workspace page in the Models view, with the mouse', async () => {
    await page.getByTestId('nav-workspace').click();
    await page.getByTestId('workspace-browse-open').click();
    const dialog = page.getByTestId('workspace-browse-open-dialog');
    const entries = dialog.getByTestId('workspace-browse-open-dialog-entry');
    await entries.and(page.locator(`[data-name="${allowed}"]`)).dblclick();
    await expect
      .poll(() => dialog.getByTestId('workspace-browse-open-dialog-path').textContent())
      .toBe(allowed);
    // A link out can be neither entered nor opened.
    await entries.and(page.locator('[data-name="to-outside"]')).click();
    expect(await dialog.getByTestId('workspace-browse-open-dialog-enter').isDisabled()).toBe(true);
    expect(await dialog.getByTestId('workspace-browse-open-dialog-choose').isDisabled()).toBe(true);
    await entries.and(page.locator('[data-name="model"]')).click();
    const choose = dialog.getByTestId('workspace-browse-open-dialog-choose');
    expect(await choose.textContent()).toContain('Open in Models');
    await choose.click();
    await page.getByTestId('model-card').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('model-card-params').getAttribute('data-total')).toBe('467818');
  });
});
