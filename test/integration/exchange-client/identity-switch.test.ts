/**
 * Changing the connecting certificate in Settings (a renewed certificate, or a machine handed
 * to another body's clerk) takes effect at once: the next package is sent as the new key's
 * organization, not under the cached session and organization of the old one. Real server,
 * real store on disk; the two keys are the bed's software keys of bodies A and B.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import type { Signer } from '../../../main/pki/signer.js';
import { createExchangeService, type ExchangeService } from '../../../main/services/exchange-handlers.js';
import type { ServiceContext } from '../../../main/services/types.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';

let xb: ExchangeBed;
let store: Store;
let storeC: Store;
let service: ExchangeService;
let current: Signer;
const ctx: ServiceContext = { lang: 'vi', emit: () => undefined };

beforeAll(async () => {
  xb = await createExchangeBed();
  const home = path.join(xb.bed.dir, 'home-switch');
  store = openStore(home);
  storeC = openStore(path.join(xb.bed.dir, 'home-c'));
  current = xb.users.A2.signer;
  service = createExchangeService(store, { home, emit: () => undefined, signer: async () => current, validator: defaultValidator([xb.bed.certs.root.der]) });
}, 180_000);
afterAll(async () => {
  await service?.close();
  store?.close();
  storeC?.close();
  await xb?.close();
});

async function sendToC(subject: string): Promise<string> {
  const h = service.handlers;
  const sent = await h['exchange:send']!({ to: [ORG.C], subject, number: '7', notation: 'CV-TN', type: 'Công văn', files: [xb.signedPdf] }, ctx);
  await h['exchange:outboxFlush']!({}, ctx);
  return sent.messageId;
}

it('a new connecting certificate sends as its own organization', async () => {
  const h = service.handlers;
  await h['settings:set']!({ key: 'exchange.server', value: xb.server.url }, ctx);
  await h['settings:set']!({ key: 'exchange.signer', value: { module: 'software', cert: 'a2' } }, ctx);
  const first = await sendToC('Gửi từ văn thư A');
  expect(store.settings.get(`exchange.organization.${xb.server.url}`)).toMatchObject({ code: ORG.A });

  // Saving the same value again changes nothing; another certificate starts over.
  await h['settings:set']!({ key: 'exchange.signer', value: { module: 'software', cert: 'a2' } }, ctx);
  expect(store.settings.get(`exchange.organization.${xb.server.url}`)).toMatchObject({ code: ORG.A });
  current = xb.users.B.signer;
  await h['settings:set']!({ key: 'exchange.signer', value: { module: 'software', cert: 'b' } }, ctx);
  expect(store.settings.get(`exchange.organization.${xb.server.url}`)).toBeUndefined();
  const second = await sendToC('Gửi từ văn thư B');
  expect(store.settings.get(`exchange.organization.${xb.server.url}`)).toMatchObject({ code: ORG.B });

  const c = new ExchangeClient({ store: storeC, home: path.join(xb.bed.dir, 'home-c'), server: xb.server.url, signer: async () => xb.users.C.signer, validator: defaultValidator([xb.bed.certs.root.der]) });
  await c.sync();
  expect(storeC.incoming.get(first)?.fromCode).toBe(ORG.A);
  expect(storeC.incoming.get(second)?.fromCode).toBe(ORG.B);
});
