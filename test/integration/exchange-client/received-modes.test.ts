/**
 * Received documents are the user's only (issue 15.11): a sync from an inbox server on
 * loopback stores the package and its files 0600 in folders 0700, under the usual umask 022.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExchangeClient } from '../../../main/exchange/client/index.js';
import type { Signer } from '../../../main/pki/signer.js';
import { openStore } from '../../../main/store/index.js';
import { craftPackage, fakeItem, startFakeInbox, throwAwaySigner, type FakeDelivery } from './fake-inbox.js';

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
let dir: string;
let signer: Signer;
let umask: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-received-modes-'));
  umask = process.umask(0o022);
  signer = await throwAwaySigner(dir);
});
afterAll(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

it.skipIf(process.platform === 'win32')('stores received packages and files 0600 in folders 0700', async () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  const body = await craftPackage(signer, dir, 'Quyết định', [{ name: 'quyet-dinh.pdf', bytes: pdf }]);
  const deliveries: FakeDelivery[] = [{ item: fakeItem(1, 'msg-modes-0001', createHash('sha256').update(body).digest('hex'), body.length), body }];
  const server = await startFakeInbox(() => deliveries);
  const home = path.join(dir, 'home');
  const store = openStore(home);
  try {
    const client = new ExchangeClient({ store, home, server: server.url, signer: async () => signer, validator: async () => ({ status: 'NO_SIGNATURE', report: {} }) });
    expect(await client.sync()).toMatchObject({ received: 1 });
    const [file] = store.incoming.files('msg-modes-0001');
    const folder = path.dirname(file!.path);
    expect(mode(home)).toBe('700');
    expect(mode(path.join(home, 'inbox'))).toBe('700');
    expect(mode(folder)).toBe('700');
    const names = readdirSync(folder);
    expect(names.length).toBe(2); // the package and the PDF
    for (const n of names) expect(mode(path.join(folder, n)), n).toBe('600');
  } finally {
    store.close();
    await server.close();
  }
});
