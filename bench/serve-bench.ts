import { round } from './train-bench.ts';
import { startServe } from './serve-process.ts';

export interface ServeBenchResult {
  bench: 'serve';
  /** From spawning `deepcorrect serve` to its printed URL, with the engine host up and its backend chosen. */
  ready_s: number;
  /** Then the page itself (index.html) over HTTP. */
  first_page_ms: number;
}

/** Browser mode's start-up, as a user meets it (issue target: ready in under 3 s). */
export async function benchServe(): Promise<ServeBenchResult> {
  const serve = await startServe();
  try {
    const start = performance.now();
    const page = await fetch(serve.url);
    await page.text();
    if (!page.ok) throw new Error(`the page answered ${page.status}`);
    return {
      bench: 'serve',
      ready_s: round(serve.readyMs / 1000, 2),
      first_page_ms: round(performance.now() - start, 1),
    };
  } finally {
    await serve.stop();
  }
}
