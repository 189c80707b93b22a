/**
 * The app's contract path: settings select the server and the token, token:login opens it,
 * exchange:send queues and uploads in the background with outboxProgress events, the
 * recipient hears about it live (SSE) and registers it, and A's exchange:inboxSync brings
 * the 03 back as an exchange:status event. Real core, real server, real SoftHSM2 token.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { createCore, type Core } from '../../../main/services/core.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';
import { openStore, type IncomingDoc, type Store } from '../../../main/store/index.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';

let xb: ExchangeBed;
let core: Core;
let storeB: Store;

beforeAll(async () => {
  xb = await createExchangeBed();
  // The core's token bridge reads SoftHSM2's config from the environment, as on a real machine.
  process.env.SOFTHSM2_CONF = xb.bed.env.SOFTHSM2_CONF;
  core = await createCore({ host: 'browser', home: path.join(xb.bed.dir, 'home-a'), lang: 'vi', shell: browserShellHandlers() });
  storeB = openStore(path.join(xb.bed.dir, 'home-b'));
});
afterAll(async () => {
  await core?.close();
  storeB?.close();
  await xb?.close();
});

function next<T>(core: Core, event: string, pred: (p: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const off = core.bus.subscribe((e, p) => {
      if (e === event && pred(p as T)) {
        off();
        resolve(p as T);
      }
    });
  });
}

it('send through the contract, live arrival at B, status back to A as an event', async () => {
  const token = xb.users.A.cert.token!;
  expect(await core.call('settings:set', { key: 'exchange.server', value: xb.server.url })).toMatchObject({ ok: true });
  expect(await core.call('settings:set', { key: 'exchange.signer', value: { module: xb.bed.module, label: token.label, cert: token.id } })).toMatchObject({ ok: true });
  const before = await core.call('exchange:send', { to: [ORG.B], subject: 'Giấy mời họp', number: '20', notation: 'GM-UBND', type: 'Giấy mời', files: [xb.signedPdf] });
  expect(before).toMatchObject({ ok: false, error: { code: 'tokenNotLoggedIn' } });
  expect(await core.call('token:login', { token: { module: xb.bed.module, label: token.label }, pin: token.pin })).toEqual({ ok: true, value: { loggedIn: true } });

  // B listens live before A sends.
  let arrived!: (d: IncomingDoc) => void;
  const arrival = new Promise<IncomingDoc>((r) => (arrived = r));
  const clientB = new ExchangeClient({ store: storeB, home: path.join(xb.bed.dir, 'home-b'), server: xb.server.url, signer: async () => xb.users.B.signer,
    validator: defaultValidator([xb.bed.certs.root.der]), events: { onArrival: (d) => arrived(d) } });
  const live = await clientB.live();

  const sent = next<{ state: string; batchId: string | null; total: number; sent: number }>(core, 'exchange:outboxProgress', (p) => p.state === 'sent');
  const r = await core.call('exchange:send', { to: [ORG.B], subject: 'Giấy mời họp', number: '20', notation: 'GM-UBND', type: 'Giấy mời', files: [xb.signedPdf], batchId: 'ui-1' });
  expect(r.ok).toBe(true);
  const messageId = (r as { value: { messageId: string } }).value.messageId;
  expect(await sent).toMatchObject({ batchId: 'ui-1', total: 1, sent: 1 });

  const doc = await arrival;
  expect(doc).toMatchObject({ messageId, fromCode: ORG.A, subject: 'Giấy mời họp', validationStatus: 'TOTAL_PASSED' });
  await live.stop();
  // A turns live notifications on: B's 03 arrives as an event without any explicit sync.
  const status = next<{ messageId: string; event: { orgCode: string; statusCode: string } }>(core, 'exchange:status', (p) => p.event.statusCode === '03');
  expect(await core.call('exchange:live', { on: true })).toEqual({ ok: true, value: { on: true } });
  await clientB.accept(messageId);
  expect(await status).toMatchObject({ messageId, event: { orgCode: ORG.B, statusCode: '03' } });
  expect(await core.call('exchange:live', { on: false })).toEqual({ ok: true, value: { on: false } });
  expect(await core.call('exchange:inboxSync', {})).toEqual({ ok: true, value: { received: 0, statuses: 0 } });
  const show = await core.call('exchange:outgoingShow', { messageId });
  expect(show).toMatchObject({ ok: true, value: { doc: { delivery: 'sent', latest: { [ORG.B]: { statusCode: '03' } } } } });

  const found = await core.call('exchange:registerSearch', { query: 'giay moi hop', register: 'outgoing' });
  expect((found as { value: { outgoing: Array<{ messageId: string }> } }).value.outgoing.map((d) => d.messageId)).toEqual([messageId]);
  const out = path.join(xb.bed.dir, 'so-di.csv');
  expect(await core.call('exchange:registerExport', { register: 'outgoing', path: out })).toEqual({ ok: true, value: { path: out, rows: 1 } });
  expect(readFileSync(out, 'utf8')).toContain(`Giấy mời họp,${ORG.B},${ORG.B}:03,${messageId}`);
  const dir = await core.call('exchange:directory', {});
  expect((dir as { value: { organizations: Array<{ code: string }> } }).value.organizations.map((o) => o.code)).toEqual([ORG.A, ORG.B, ORG.C]);
  const bad = await core.call('exchange:send', { to: ['000.09.00.H99'], subject: 'x', number: '21', notation: 'x', type: 'x', files: [xb.signedPdf] });
  expect(bad).toMatchObject({ ok: false, error: { code: 'exUnknownRecipient' } });
});
