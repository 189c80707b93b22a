/**
 * Three processes register documents in one KYSO_HOME at the same moment (the app and two
 * `kyso inbox accept` runs): every registration succeeds and the arrival numbers are 1..N
 * without gaps or repeats. Deferred transactions failed here with "database is locked".
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../../main/store/index.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-accept-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function driver(startAt: number, ids: string[], script = 'accept-driver.ts', dir = home): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, script), dir, String(startAt), ...ids], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

it('registers from three processes at once: all succeed, numbers 1..N', { timeout: 120_000 }, async () => {
  const store = openStore(home);
  const ids = Array.from({ length: 90 }, (_, i) => `msg-${String(i).padStart(4, '0')}`);
  for (const id of ids) {
    store.incoming.add({ messageId: id, server: 'https://truc.example', fromCode: '000.00.00.H99', fromName: 'UBND tỉnh', documentId: `000.00.00.H99,2026/12/01,${id}`,
      number: id.slice(4), notation: 'CV-UBND', type: 'Công văn', subject: `Công văn ${id}`, receivedAt: new Date().toISOString(), packagePath: path.join(home, `${id}.edxml`), files: [] });
  }
  store.close();
  // Start together, well after the three Node processes have loaded.
  const startAt = Date.now() + 6_000;
  const results = await Promise.all([0, 1, 2].map((k) => driver(startAt, ids.filter((_, i) => i % 3 === k))));
  for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
  const after = openStore(home);
  const numbers = ids.map((id) => after.incoming.get(id)!.arrivalNumber).sort((a, b) => a! - b!);
  after.close();
  expect(numbers).toEqual(ids.map((_, i) => i + 1));
});

it('four processes opening one fresh home at once all succeed (the schema is created once)', { timeout: 120_000 }, async () => {
  const fresh = path.join(home, 'fresh');
  const startAt = Date.now() + 6_000;
  const results = await Promise.all([0, 1, 2, 3].map(() => driver(startAt, [], 'open-driver.ts', fresh)));
  for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
});
