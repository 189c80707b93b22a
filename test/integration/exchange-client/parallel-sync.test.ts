/**
 * Three `kyso inbox sync` processes on one KYSO_HOME at once (the app and the command line
 * share a home): every delivery is stored once, nothing is recorded as refused, all exit 0.
 * Before, they removed each other's download folders and a valid document was lost.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { openStore } from '../../../main/store/index.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';

let xb: ExchangeBed;
beforeAll(async () => {
  xb = await createExchangeBed();
}, 180_000);
afterAll(async () => {
  await xb?.close();
});

function syncProcess(home: string): Promise<{ code: number | null; err: string }> {
  const c = xb.users.C.cert;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/kyso.js', '--lang', 'en', 'inbox', 'sync', '--server', xb.server.url, '--key-file', c.keyPath!, '--cert-file', c.certPath, '--trust', xb.bed.certs.root.certPath], {
      env: { ...process.env, KYSO_HOME: home, KYSO_FROM_SOURCE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, err }));
  });
}

it('three syncs at once store every delivery once', { timeout: 180_000 }, async () => {
  const homeA = path.join(xb.bed.dir, 'home-a');
  const storeA = openStore(homeA);
  const a = new ExchangeClient({ store: storeA, home: homeA, server: xb.server.url, signer: async () => xb.users.A2.signer, validator: defaultValidator([], true) });
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await a.queue({ to: [ORG.C], subject: `Công văn ${i}`, number: String(100 + i), notation: 'CV-UBND', type: 'Công văn', files: [xb.signedPdf] })).messageId);
  expect(await a.flush()).toMatchObject({ sent: 12, failed: 0 });
  storeA.close();

  const homeC = path.join(xb.bed.dir, 'home-c');
  const runs = await Promise.all([0, 1, 2].map(() => syncProcess(homeC)));
  for (const r of runs) expect(r, r.err).toMatchObject({ code: 0 });
  const storeC = openStore(homeC);
  try {
    expect(ids.filter((id) => !storeC.incoming.get(id))).toEqual([]);
    expect(storeC.failures.list()).toEqual([]);
  } finally {
    storeC.close();
  }
});
