/**
 * Sending carries the Decree 30 metadata (issue 14, point 9) end to end through the real
 * inbox server: type from the official list (edXML TypeDetail), issue date, signer and
 * position, urgency, reply-by date; the recipient's register has them, and the sender's
 * outgoing register names its recipients. Refused up front, before anything is queued: a
 * document to our own organization (it could never be registered) and a secret document.
 */
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { readPackage } from '../../../main/exchange/edxml/index.js';
import { createExchangeService, type ExchangeService } from '../../../main/services/exchange-handlers.js';
import type { ServiceContext } from '../../../main/services/types.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';

let xb: ExchangeBed;
let store: Store;
let storeC: Store;
let service: ExchangeService;
const ctx: ServiceContext = { lang: 'vi', emit: () => undefined };

beforeAll(async () => {
  xb = await createExchangeBed();
  const home = path.join(xb.bed.dir, 'home-meta');
  store = openStore(home);
  storeC = openStore(path.join(xb.bed.dir, 'home-meta-c'));
  service = createExchangeService(store, { home, emit: () => undefined, signer: async () => xb.users.A2.signer, validator: defaultValidator([xb.bed.certs.root.der]) });
  await service.handlers['settings:set']({ key: 'exchange.server', value: xb.server.url }, ctx);
}, 180_000);
afterAll(async () => {
  await service?.close();
  store?.close();
  storeC?.close();
  await xb?.close();
});

it('carries type, issue date, signer, urgency and reply-by date to the recipient', async () => {
  const h = service.handlers;
  const sent = await h['exchange:send']({
    to: [ORG.C], subject: 'Quyết định phê duyệt kế hoạch', number: '125', notation: 'QĐ-UBND', type: 'Quyết định', files: [xb.signedPdf],
    issueDate: '2026-12-05', signerName: 'Nguyễn Văn An', signerPosition: 'Phó Chủ tịch', priority: 1, secrecy: 'normal', dueDate: '2026-12-20',
  }, ctx);
  await h['exchange:outboxFlush']({}, ctx);
  const out = (await h['exchange:outgoingShow']({ messageId: sent.messageId }, ctx)).doc;
  expect(out.meta).toMatchObject({ typeCode: 'QĐ', issueDate: '2026-12-05', signerName: 'Nguyễn Văn An', signerPosition: 'Phó Chủ tịch', priority: 1, dueDate: '2026-12-20' });
  expect(out.documentId).toContain(',2026/12/05,125/QĐ-UBND');

  const c = new ExchangeClient({ store: storeC, home: path.join(xb.bed.dir, 'home-meta-c'), server: xb.server.url, signer: async () => xb.users.C.signer, validator: defaultValidator([xb.bed.certs.root.der]) });
  await c.sync();
  const got = storeC.incoming.require(sent.messageId);
  expect(got.meta).toEqual({ issueDate: '2026-12-05', signerName: 'Nguyễn Văn An', signerPosition: 'Phó Chủ tịch', priority: 1, dueDate: '2026-12-20' });
  const tmpDir = mkdtempSync(path.join(xb.bed.dir, 'pkg-'));
  const pkg = await readPackage(got.packagePath, { tmpDir });
  expect(pkg.header.documentType).toMatchObject({ typeName: 'Quyết định', typeDetail: 2 });
  expect(pkg.header.otherInfo.priority).toBe(1);
  expect(pkg.header.dueDate).toBe('2026/12/20');
  // The sender's register and statuses name the recipient, not only its code.
  await h['exchange:directory']({ refresh: true }, ctx);
  const again = (await h['exchange:outgoingShow']({ messageId: sent.messageId }, ctx)).doc;
  expect(again.recipientNames[ORG.C]).toBeTruthy();
});

it('refuses, before queueing anything, a document to our own organization and a secret one', async () => {
  const h = service.handlers;
  const before = store.outbox.list();
  const base = { subject: 'Thử', number: '9', notation: 'CV-TN', type: 'Công văn', files: [xb.signedPdf] };
  await expect(h['exchange:send']({ ...base, to: [ORG.A, ORG.C] }, ctx)).rejects.toMatchObject({ code: 'exSendToSelf', params: { organId: ORG.A } });
  await expect(h['exchange:send']({ ...base, to: [ORG.C], secrecy: 'secret' }, ctx)).rejects.toMatchObject({ code: 'exSecretNotSent' });
  expect(store.outbox.list()).toEqual(before);
  const dir = await h['exchange:directory']({ refresh: false }, ctx);
  expect(dir.self?.code).toBe(ORG.A);
});
