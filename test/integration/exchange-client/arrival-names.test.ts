/**
 * Two attachments with the same file name (two scans both called scan.pdf) are an ordinary
 * send. The recipient keeps both, under distinct names, and the documents after it still
 * arrive. Before, the second name broke the register's key and every later sync stopped there.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { uniqueNames } from '../../../main/exchange/client/sync.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';

let xb: ExchangeBed;
const stores: Store[] = [];

beforeAll(async () => {
  xb = await createExchangeBed();
}, 180_000);
afterAll(async () => {
  for (const s of stores) s.close();
  await xb?.close();
});

function client(name: string, signer: ExchangeBed['users']['A']['signer']): { c: ExchangeClient; store: Store } {
  const home = path.join(xb.bed.dir, name);
  const store = openStore(home);
  stores.push(store);
  return { c: new ExchangeClient({ store, home, server: xb.server.url, signer: async () => signer, validator: defaultValidator([xb.bed.certs.root.der]) }), store };
}

it('names a repeated attachment name apart', () => {
  expect(uniqueNames(['scan.pdf', 'scan.pdf', 'Phụ lục', 'Phụ lục', 'scan (2).pdf', 'scan.pdf'])).toEqual(['scan.pdf', 'scan (2).pdf', 'Phụ lục', 'Phụ lục (2)', 'scan (2) (2).pdf', 'scan (3).pdf']);
});

it('keeps both scans called scan.pdf, and the next document still arrives', async () => {
  const a = client('home-a', xb.users.A2.signer);
  const b = client('home-b', xb.users.B.signer);
  const dirs = ['d1', 'd2'].map((d) => path.join(xb.bed.dir, d));
  for (const d of dirs) mkdirSync(d);
  copyFileSync(xb.signedPdf, path.join(dirs[0]!, 'scan.pdf'));
  copyFileSync('test/fixtures/cong-van-mau.pdf', path.join(dirs[1]!, 'scan.pdf'));
  const first = await a.c.queue({ to: [ORG.B], subject: 'Hai bản quét cùng tên', number: '600', notation: 'CV-TN', type: 'Công văn', files: dirs.map((d) => path.join(d, 'scan.pdf')) });
  const second = await a.c.queue({ to: [ORG.B], subject: 'Văn bản sau đó', number: '601', notation: 'CV-TN', type: 'Công văn', files: [xb.signedPdf] });
  expect(await a.c.flush()).toMatchObject({ sent: 2, failed: 0 });

  expect(await b.c.sync()).toMatchObject({ received: 2 });
  const files = b.store.incoming.files(first.messageId);
  expect(files.map((f) => f.name)).toEqual(['scan.pdf', 'scan (2).pdf']);
  expect(readFileSync(files[0]!.path).equals(readFileSync(xb.signedPdf))).toBe(true);
  expect(readFileSync(files[1]!.path).equals(readFileSync('test/fixtures/cong-van-mau.pdf'))).toBe(true);
  expect(b.store.incoming.get(second.messageId)?.subject).toBe('Văn bản sau đó');
  expect(b.store.failures.list()).toEqual([]);
});
