/**
 * `kyso inbox sync --watch` as a real process (bin/kyso.js): it syncs, then listens to the
 * server's SSE stream; a document sent afterwards is printed as it arrives (validated), and
 * SIGTERM ends the command cleanly with everything stored.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { openStore } from '../../../main/store/index.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';

let xb: ExchangeBed;
beforeAll(async () => {
  xb = await createExchangeBed();
});
afterAll(async () => {
  await xb?.close();
});

it('watch mode prints live arrivals and stops on SIGTERM', { timeout: 180_000 }, async () => {
  const homeC = path.join(xb.bed.dir, 'home-c');
  const c = xb.users.C.cert;
  const child = spawn(process.execPath, ['bin/kyso.js', '--lang', 'en', 'inbox', 'sync', '--watch', '--server', xb.server.url,
    '--key-file', c.keyPath!, '--cert-file', c.certPath, '--trust', xb.bed.certs.root.certPath], {
    env: { ...process.env, KYSO_HOME: homeC, KYSO_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error(`kyso exited early: ${stderr}`);
    return r.value;
  };
  expect(await nextLine()).toBe('Received 0 new documents and 0 statuses.');

  const homeA = path.join(xb.bed.dir, 'home-a');
  const storeA = openStore(homeA);
  const a = new ExchangeClient({ store: storeA, home: homeA, server: xb.server.url, signer: async () => xb.users.A2.signer, validator: defaultValidator([], true) });
  const { messageId } = await a.queue({ to: [ORG.C], subject: 'Thông báo lịch tiếp công dân', number: '40', notation: 'TB-UBND', type: 'Thông báo', files: [xb.signedPdf] });
  expect(await a.flush()).toEqual({ sent: 1, pending: 0, failed: 0 });
  storeA.close();

  expect(await nextLine()).toBe(`Arrived: Thông báo lịch tiếp công dân — Ủy ban nhân dân tỉnh Thử Nghiệm (signatures: TOTAL_PASSED) [${messageId}]`);
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
  expect(stderr).toBe('');
  const storeC = openStore(homeC);
  expect(storeC.incoming.get(messageId)).toMatchObject({ fromCode: ORG.A, validationStatus: 'TOTAL_PASSED', state: 'arrived' });
  storeC.close();
});
