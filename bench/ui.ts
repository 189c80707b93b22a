/**
 * Renderer load time in Chromium: the built bundle (dist/renderer, `npm run build` or
 * `vite build --config renderer/vite.config.ts`) served by the real browser host, measured
 * from navigation start until the home screen shows `app:info` from the core (first
 * round-trip done). Fresh browser context per run (cold cache), plus warm reloads.
 * Target: under 1 s. Run: `npm run bench ui` or `npx tsx bench/ui.ts`.
 */
import { existsSync, mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../main/services/core.js';
import { browserShellHandlers } from '../main/host/shell-fallback.js';
import { packageRoot } from '../main/services/paths.js';
import { startHost } from '../main/host/server.js';
import { launchChromium } from '../test/e2e/helpers/browser.js';

/** Percentile of sorted numbers. */
function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs the UI benchmark; returns cold and warm medians in ms. */
export async function benchUi(opts: { runs?: number } = {}): Promise<{ coldMedianMs: number; warmMedianMs: number }> {
  const runs = opts.runs ?? 15;
  const rendererDir = path.join(packageRoot(), 'dist', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error('dist/renderer missing: run `npm run build` first');
  const assets = readdirSync(path.join(rendererDir, 'assets'));
  const initialJs = assets.filter((f) => /^index-.*\.js$/.test(f)).reduce((n, f) => n + statSync(path.join(rendererDir, 'assets', f)).size, 0);
  const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-ui-'));
  const core = await createCore({ host: 'browser', home, lang: 'vi', shell: browserShellHandlers() });
  const host = await startHost({ core, rendererDir });
  const browser = await launchChromium();
  const cold: number[] = [];
  const shell: number[] = [];
  const warm: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      let t0 = performance.now();
      await page.goto(host.url);
      await page.getByTestId('app-shell').waitFor();
      shell.push(performance.now() - t0);
      await page.getByTestId('app-version').waitFor();
      cold.push(performance.now() - t0);
      t0 = performance.now();
      await page.reload();
      await page.getByTestId('app-version').waitFor();
      warm.push(performance.now() - t0);
      await ctx.close();
    }
  } finally {
    await browser.close();
    await host.close();
    await core.close();
    rmSync(home, { recursive: true, force: true });
  }
  cold.sort((a, b) => a - b);
  shell.sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`initial JS bundle: ${(initialJs / 1024).toFixed(0)} KiB (pdf.js is loaded on demand by the Sign screen)`);
  console.log(`cold load to first core round-trip (${runs} runs, new context each): median ${f(pct(cold, 50))}, p95 ${f(pct(cold, 95))}, max ${f(cold[cold.length - 1]!)}`);
  console.log(`cold load to app shell painted:                  median ${f(pct(shell, 50))}, p95 ${f(pct(shell, 95))}`);
  console.log(`warm reload (same context):                        median ${f(pct(warm, 50))}, p95 ${f(pct(warm, 95))}`);
  console.log(`target < 1000 ms: ${pct(cold, 95) < 1000 ? 'met' : 'NOT met'} (p95 cold)`);
  return { coldMedianMs: pct(cold, 50), warmMedianMs: pct(warm, 50) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await benchUi();
