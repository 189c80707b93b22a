/** The inbox client logs in once for concurrent callers (one challenge, one token signature). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InboxApi } from '../../../main/exchange/client/api.js';
import type { Signer } from '../../../main/pki/signer.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';

let x: ExchangeBed;
beforeAll(async () => {
  x = await createExchangeBed();
}, 180_000);
afterAll(async () => {
  await x?.close();
});

it('concurrent calls share one login; after the session is dropped, the next call logs in once more', async () => {
  let signatures = 0;
  const base = x.users.B.signer;
  const counting: Signer = { ...base, sign: (d, h, s) => (signatures++, base.sign(d, h, s)) };
  const api = new InboxApi(`http://127.0.0.1:${x.server.port}`, counting);
  const [org, dir, again] = await Promise.all([api.organization(), api.directory(), api.organization()]);
  expect(org.code).toBe(ORG.B);
  expect(again.code).toBe(ORG.B);
  expect(dir.map((o) => o.code)).toContain(ORG.A);
  expect(signatures).toBe(1);
  api.resetSession();
  await Promise.all([api.directory(), api.directory()]);
  expect(signatures).toBe(2);
});
