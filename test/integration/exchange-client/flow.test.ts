/**
 * Org A sends one signed document to B and C over the real inbox server on loopback: both
 * receive it, see TOTAL_PASSED, register it (03); A sees 01 then 03 from each. B rejects
 * another with a reason; A sees 02 and the reason. Registers are searchable and export CSV.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnYear } from '../../../main/api/vn-time.js';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';
import { kyso } from './cli-io.js';

let xb: ExchangeBed;
let envA: NodeJS.ProcessEnv;
let envB: NodeJS.ProcessEnv;
let homeC: string;
let storeC: Store;
let firstId: string;
/** B's registration of the first document (year of arrival, in Vietnam time). */
let registered: { arrivalYear: number; registeredAt: string };
/**
 * The issue date of the first document: given, so the repeated command is the same document
 * even when the two runs straddle midnight in Vietnam (17:00 UTC).
 */
const ISSUED = '2026-11-22';
let attachment: string;

const tokenArgs = () => ['--module', xb.bed.module, '--token', xb.users.A.cert.token!.label, '--cert', xb.users.A.cert.token!.id, '--pin-env', 'KYSO_TEST_PIN'];
const keyArgs = () => ['--key-file', xb.users.B.cert.keyPath!, '--cert-file', xb.users.B.cert.certPath, '--trust', xb.bed.certs.root.certPath];

beforeAll(async () => {
  xb = await createExchangeBed();
  envA = { ...process.env, ...xb.bed.env, KYSO_HOME: path.join(xb.bed.dir, 'home-a'), KYSO_TEST_PIN: xb.users.A.cert.token!.pin };
  envB = { ...process.env, KYSO_HOME: path.join(xb.bed.dir, 'home-b') };
  homeC = path.join(xb.bed.dir, 'home-c');
  storeC = openStore(homeC);
  attachment = path.join(xb.bed.dir, 'phu-luc.xlsx');
  writeFileSync(attachment, Buffer.from('Phụ lục dự toán'));
});

afterAll(async () => {
  storeC?.close();
  await xb?.close();
});

describe('send to two organizations, register, statuses back', () => {
  it('A sends with its token key; the package is queued then delivered to B and C', async () => {
    const r = await kyso(['send', '--server', xb.server.url, '--to', `${ORG.B},${ORG.C}`, '--subject', 'Quyết định phê duyệt dự toán ngân sách năm 2027',
      '--number', '15', '--notation', 'QĐ-UBND', '--type', 'Quyết định', '--date', ISSUED, ...tokenArgs(), '--json', xb.signedPdf, attachment], envA);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as { messageId: string; documentId: string; queued: boolean; delivery: { sent: number; pending: number; failed: number } };
    expect(res.queued).toBe(true);
    expect(res.documentId).toBe(`${ORG.A},2026/11/22,15/QĐ-UBND`);
    expect(res.delivery).toEqual({ sent: 1, pending: 0, failed: 0 });
    firstId = res.messageId;
    expect((await xb.server.repo.counts()).messages).toBe(1);
    // The same command again is recognized as already queued: nothing more reaches the server.
    const again = await kyso(['send', '--server', xb.server.url, '--to', `${ORG.B},${ORG.C}`, '--subject', 'Quyết định phê duyệt dự toán ngân sách năm 2027',
      '--number', '15', '--notation', 'QĐ-UBND', '--type', 'Quyết định', '--date', ISSUED, ...tokenArgs(), '--json', xb.signedPdf, attachment], envA);
    expect(JSON.parse(again.out)).toMatchObject({ messageId: firstId, queued: false });
    expect((await xb.server.repo.counts()).messages).toBe(1);
  });

  it('B (CLI) and C (library) receive it, validated TOTAL_PASSED, and register it with number 1', async () => {
    const sync = await kyso(['inbox', 'sync', '--server', xb.server.url, ...keyArgs(), '--json'], envB);
    expect(sync.err).toBe('');
    expect(JSON.parse(sync.out)).toEqual({ received: 1, statuses: 0 });
    const list = JSON.parse((await kyso(['inbox', 'list', '--json'], envB)).out) as { items: Array<{ messageId: string; validationStatus: string; fromCode: string; subject: string }> };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ messageId: firstId, fromCode: ORG.A, subject: 'Quyết định phê duyệt dự toán ngân sách năm 2027' });
    const show = JSON.parse((await kyso(['inbox', 'show', firstId, '--json'], envB)).out) as { files: Array<{ name: string; path: string; validationStatus: string | null }> };
    expect(show.files.map((f) => [f.name, f.validationStatus])).toEqual([['quyet-dinh-15.pdf', 'TOTAL_PASSED'], ['phu-luc.xlsx', null]]);
    expect(readFileSync(show.files[0]!.path).equals(readFileSync(xb.signedPdf))).toBe(true);
    expect(list.items[0]!.validationStatus).toBe('TOTAL_PASSED');
    const accept = await kyso(['inbox', 'accept', firstId, '--server', xb.server.url, ...keyArgs(), '--json'], envB);
    expect(accept.err).toBe('');
    registered = JSON.parse(accept.out).doc;
    expect(registered).toMatchObject({ state: 'accepted', statusCode: '03', arrivalNumber: 1 });
    expect(registered.arrivalYear).toBe(vnYear(new Date(registered.registeredAt)));

    const arrivals: string[] = [];
    const c = new ExchangeClient({ store: storeC, home: homeC, server: xb.server.url, signer: async () => xb.users.C.signer, validator: defaultValidator([xb.bed.certs.root.der]),
      events: { onArrival: (d) => arrivals.push(d.messageId) } });
    expect(await c.sync()).toEqual({ received: 1, statuses: 0 });
    expect(arrivals).toEqual([firstId]);
    expect(storeC.incoming.get(firstId)?.validationStatus).toBe('TOTAL_PASSED');
    const report = storeC.incoming.files(firstId)[0]!.validation as { signatures: Array<{ indication: string }> };
    expect(report.signatures[0]?.indication).toBe('TOTAL_PASSED');
    expect((await c.accept(firstId)).arrivalNumber).toBe(1);
  });

  it('A sees 01 then 03 from each recipient', async () => {
    const sync = await kyso(['inbox', 'sync', '--server', xb.server.url, ...tokenArgs(), '--json'], envA);
    expect(sync.err).toBe('');
    const store = openStore(envA.KYSO_HOME!);
    try {
      const d = store.outgoing.get(firstId)!;
      for (const org of [ORG.B, ORG.C]) expect(d.timeline.filter((e) => e.orgCode === org).map((e) => e.statusCode)).toEqual(['01', '03']);
      expect(d.latest[ORG.B]?.statusCode).toBe('03');
    } finally {
      store.close();
    }
  });

  it('B rejects another document with a reason; A sees 02 and the reason', async () => {
    const sent = await kyso(['send', '--server', xb.server.url, '--to', ORG.B, '--subject', 'Công văn đề nghị góp ý', '--number', '16', '--notation', 'UBND-TH',
      '--type', 'Công văn', ...tokenArgs(), '--json', xb.signedPdf], envA);
    const id = (JSON.parse(sent.out) as { messageId: string }).messageId;
    await kyso(['inbox', 'sync', '--server', xb.server.url, ...keyArgs()], envB);
    const noReason = await kyso(['inbox', 'reject', id, '--server', xb.server.url, ...keyArgs()], envB);
    expect(noReason.code).not.toBe(0);
    expect(noReason.err).toContain('reason is required');
    const rej = await kyso(['inbox', 'reject', id, '--reason', 'Không đúng thẩm quyền giải quyết', '--server', xb.server.url, ...keyArgs(), '--json'], envB);
    expect(rej.err).toBe('');
    expect(JSON.parse(rej.out).doc).toMatchObject({ state: 'rejected', statusCode: '02', reason: 'Không đúng thẩm quyền giải quyết', arrivalNumber: null });
    await kyso(['inbox', 'sync', '--server', xb.server.url, ...tokenArgs()], envA);
    const list = JSON.parse((await kyso(['register', 'list', '--kind', 'outgoing', '--json'], envA)).out) as { outgoing: Array<{ messageId: string; latest: Record<string, { statusCode: string; description: string | null }> }> };
    const doc = list.outgoing.find((d) => d.messageId === id)!;
    expect(doc.latest[ORG.B]).toMatchObject({ statusCode: '02', description: 'Không đúng thẩm quyền giải quyết' });
  });

  it('registers: FTS search without diacritics and CSV export for Excel', async () => {
    const hits = JSON.parse((await kyso(['register', 'search', 'du toan ngan sach', '--json'], envB)).out) as { incoming: Array<{ messageId: string }> };
    expect(hits.incoming.map((d) => d.messageId)).toEqual([firstId]);
    const out = path.join(xb.bed.dir, 'so-den.csv');
    const exp = await kyso(['register', 'export', '--kind', 'incoming', '--out', out], envB);
    expect(exp.code).toBe(0);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    // Only registered documents are in the register (the rejected one is not).
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`1,${registered.arrivalYear}`);
    expect(lines[1]).toContain(',Ủy ban nhân dân tỉnh Thử Nghiệm,000.00.00.H99,15,QĐ-UBND,Quyết định,Quyết định phê duyệt dự toán ngân sách năm 2027,03,,TOTAL_PASSED,');
    const outA = path.join(xb.bed.dir, 'so-di.csv');
    await kyso(['register', 'export', '--kind', 'outgoing', '--out', outA], envA);
    expect(readFileSync(outA, 'utf8')).toContain(`${ORG.B}:03; ${ORG.C}:03`);
  });

  it('A recalls the first document (13); B sees the recall and agrees (15); A sees the answer', async () => {
    const noReason = await kyso(['outbox', 'recall', firstId, '--server', xb.server.url, ...tokenArgs()], envA);
    expect(noReason.code).not.toBe(0);
    const recall = await kyso(['outbox', 'recall', firstId, '--reason', 'Ban hành nhầm phiên bản', '--server', xb.server.url, ...tokenArgs()], envA);
    expect(recall.err).toBe('');
    expect(recall.code).toBe(0);
    const sync = await kyso(['inbox', 'sync', '--server', xb.server.url, ...keyArgs(), '--json'], envB);
    expect(JSON.parse(sync.out)).toEqual({ received: 0, statuses: 1 });
    const shown = JSON.parse((await kyso(['inbox', 'show', firstId, '--json'], envB)).out) as { doc: { recallReason: string; recallAnswer: string | null } };
    expect(shown.doc).toMatchObject({ recallReason: 'Ban hành nhầm phiên bản', recallAnswer: null });
    const answer = await kyso(['inbox', 'status', firstId, '15', '--server', xb.server.url, ...keyArgs(), '--json'], envB);
    expect(answer.err).toBe('');
    expect(JSON.parse(answer.out).doc).toMatchObject({ recallAnswer: '15' });
    await kyso(['inbox', 'sync', '--server', xb.server.url, ...tokenArgs()], envA);
    const store = openStore(envA.KYSO_HOME!);
    try {
      const d = store.outgoing.get(firstId)!;
      expect(d.timeline.filter((e) => e.orgCode === ORG.B).map((e) => e.statusCode)).toEqual(['01', '03', '15']);
      expect(d.timeline.filter((e) => e.orgCode === ORG.A).map((e) => [e.statusCode, e.description])).toEqual([['13', 'Ban hành nhầm phiên bản']]);
    } finally {
      store.close();
    }
  });

  it('a package altered on the server disk is refused with a clear reason, stored nowhere, and the sync goes on', async () => {
    const send = async (n: string) => {
      const r = await kyso(['send', '--server', xb.server.url, '--to', ORG.C, '--subject', `Thông báo số ${n}`, '--number', n, '--notation', 'TB-UBND',
        '--type', 'Thông báo', ...tokenArgs(), '--json', xb.signedPdf], envA);
      return (JSON.parse(r.out) as { messageId: string }).messageId;
    };
    const bad = await send('30');
    const good = await send('31');
    const store = openStore(envA.KYSO_HOME!);
    const pkg = readFileSync(store.outbox.get(bad)!.packagePath);
    store.close();
    const sha = createHash('sha256').update(pkg).digest('hex');
    const blob = path.join(xb.dataDir, 'blobs', sha.slice(0, 2), sha);
    const altered = Buffer.from(pkg);
    const at = altered.length - 4000;
    altered[at] = altered[at] === 0x41 ? 0x42 : 0x41;
    writeFileSync(blob, altered);
    const failures: string[] = [];
    const c = new ExchangeClient({ store: storeC, home: homeC, server: xb.server.url, signer: async () => xb.users.C.signer, validator: defaultValidator([xb.bed.certs.root.der]),
      events: { onFailure: (f) => failures.push(`${f.messageId}:${f.errorCode}`) } });
    const r = await c.sync();
    expect(r.received).toBe(1);
    expect(failures).toEqual([`${bad}:exPackageDigestMismatch`]);
    expect(storeC.incoming.get(bad)).toBeUndefined();
    expect(storeC.incoming.get(good)?.subject).toBe('Thông báo số 31');
    expect(existsSync(path.join(homeC, 'inbox', bad))).toBe(false);
    expect(storeC.failures.list()).toMatchObject([{ messageId: bad, sender: ORG.A, errorCode: 'exPackageDigestMismatch' }]);
  });

  it('with the server down, send keeps the document queued (exit 75); outbox flush delivers it later', async () => {
    const before = (await xb.server.repo.counts()).messages;
    await xb.stopServer();
    try {
      const r = await kyso(['send', '--server', xb.server.url, '--to', ORG.C, '--subject', 'Báo cáo tháng 11', '--number', '17', '--notation', 'BC-UBND',
        '--type', 'Báo cáo', ...tokenArgs(), '--json', xb.signedPdf], envA);
      expect(r.code).toBe(75);
      expect(JSON.parse(r.out)).toMatchObject({ queued: true, delivery: { sent: 0, pending: 1, failed: 0 } });
      const box = JSON.parse((await kyso(['outbox', 'list', '--json'], envA)).out) as { items: Array<{ state: string; lastError: string | null }> };
      expect(box.items.filter((i) => i.state === 'pending')).toHaveLength(1);
      expect(box.items.find((i) => i.state === 'pending')?.lastError).toMatch(/exServer(Refused|Unreachable)/);
    } finally {
      await xb.startAgain();
    }
    // The retry is due after the backoff delay; --now is what a clerk asks for after fixing the network.
    const flush = await kyso(['outbox', 'flush', '--now', '--server', xb.server.url, ...tokenArgs(), '--json'], envA);
    expect(flush.err).toBe('');
    expect(JSON.parse(flush.out)).toEqual({ sent: 1, pending: 0, failed: 0 });
    expect((await xb.server.repo.counts()).messages).toBe(before + 1);
  });

  it('without the trust anchor the same signed arrivals are not TOTAL_PASSED (validation is real)', async () => {
    const home = path.join(xb.bed.dir, 'home-c-untrusting');
    const store = openStore(home);
    try {
      const c = new ExchangeClient({ store, home, server: xb.server.url, signer: async () => xb.users.C.signer, validator: defaultValidator([]) });
      const r = await c.sync();
      expect(r.received).toBeGreaterThanOrEqual(3);
      const verdicts = new Set(store.incoming.list({ limit: 100 }).map((d) => d.validationStatus));
      expect(verdicts.has('TOTAL_PASSED')).toBe(false);
      expect([...verdicts].every((v) => v === 'INDETERMINATE' || v === 'TOTAL_FAILED')).toBe(true);
    } finally {
      store.close();
    }
  });
});
