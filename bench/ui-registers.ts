/**
 * Registers with 100,000 incoming documents in SQLite, in Chromium through the real browser
 * host: time to first rows, time per page fetched while scrolling (1,000 rows per page,
 * virtualized list), DOM rows kept, and search latency (FTS5) from typing to results.
 * Run: `npm run bench ui` or `npx tsx bench/ui-registers.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../main/services/core.js';
import { browserShellHandlers } from '../main/host/shell-fallback.js';
import { packageRoot } from '../main/services/paths.js';
import { startHost } from '../main/host/server.js';
import { openDb } from '../main/store/db.js';
import { foldText } from '../main/store/fold.js';
import { launchChromium } from '../test/e2e/helpers/browser.js';

const subjects = ['Quyết định phê duyệt dự toán', 'Công văn về việc triển khai', 'Thông báo kết luận', 'Kế hoạch tổ chức', 'Báo cáo tình hình'];

/**
 * Seeds n registered incoming documents in one transaction, with the same rows IncomingRepo.add writes
 * (incoming + register_fts). Written directly: add() deletes from the FTS table by
 * message_id before inserting, a full scan per row, so seeding 100,000 through it is quadratic.
 * The bench opens the database file itself: the Store hands out no connection.
 */
function seed(home: string, n: number): void {
  const db = openDb(home);
  const year = new Date().getFullYear();
  const ins = db.prepare(`INSERT INTO incoming (message_id, server, from_code, from_name, document_id, number, notation, type, subject,
      received_at, state, status_code, package_path, arrival_year, arrival_number, registered_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', '03', '', ?, ?, ?)`);
  const fts = db.prepare('INSERT INTO register_fts (kind, message_id, body) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const subject = `${subjects[i % subjects.length]} số ${i} năm ${year}`;
      const id = `bench-${i}`;
      const at = new Date(Date.UTC(year, 0, 1) + i * 60_000).toISOString();
      ins.run(id, 'https://truc.example', '000.01.00.H99', 'Sở Tài chính', `doc-${i}`, String(i), 'CV-STC', 'Công văn', subject, at, year, i, at);
      fts.run('incoming', id, foldText([subject, String(i), 'CV-STC', 'Công văn', `doc-${i}`, '000.01.00.H99', 'Sở Tài chính'].join(' ')));
    }
  })();
  db.close();
}

/** Runs the registers benchmark. */
export async function benchRegisters(n = 100_000): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-reg-'));
  let t = performance.now();
  seed(home, n);
  console.log(`seeded ${n} incoming documents in ${(performance.now() - t).toFixed(0)} ms`);
  const core = await createCore({ host: 'browser', home, lang: 'vi', shell: browserShellHandlers() });
  const host = await startHost({ core, rendererDir: path.join(packageRoot(), 'dist', 'renderer') });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(host.url);
    await page.getByTestId('app-shell').waitFor();
    t = performance.now();
    await page.getByTestId('nav-registers').click();
    await page.getByTestId('register-list').getByRole('row').first().waitFor();
    console.log(`registers screen to first rows: ${(performance.now() - t).toFixed(0)} ms`);
    const list = page.getByTestId('register-list');
    const pages = 20;
    t = performance.now();
    for (let i = 1; i <= pages; i++) {
      await list.evaluate((el) => { el.scrollTop = el.scrollHeight; });
      await page.getByTestId('register-count').filter({ hasText: new RegExp(`^${(i + 1) * 1000}`) }).waitFor({ timeout: 30_000 });
    }
    const perPage = (performance.now() - t) / pages;
    const domRows = await list.getByRole('row').count();
    console.log(`scrolling: ${pages} pages of 1,000 rows fetched, ${perPage.toFixed(0)} ms per page; ${domRows} rows in the DOM of ${(pages + 1) * 1000}`);
    const searches: number[] = [];
    for (const q of ['dự toán', 'kết luận', 'số 99999', 'Kế hoạch']) {
      await page.getByTestId('register-search').fill('');
      t = performance.now();
      await page.getByTestId('register-search').fill(q);
      await page.getByTestId('register-count').filter({ hasText: /^\d+ văn bản$/ }).waitFor();
      await list.getByRole('row').first().waitFor();
      searches.push(performance.now() - t);
    }
    console.log(`search (FTS5, 200 ms typing debounce included): ${searches.map((s) => s.toFixed(0) + ' ms').join(', ')}`);
  } finally {
    await browser.close();
    await host.close();
    await core.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await benchRegisters();
