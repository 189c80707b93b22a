/**
 * Bad input from the axis: malformed JSON (a listing, a download), a wrong HMAC on a signed
 * answer, a package larger than the link allows, a truncated package, a tampered signature,
 * a package for a body nobody here hosts, one claiming to come from a body we host, a status
 * about a document nobody knows. Each gives a clear audit entry, the entry is kept as
 * refused with its reason (and its bytes when we have them), the axis is told `fail`, and
 * the gateway keeps running: a sound document delivered afterwards arrives.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxisRepo } from '../../../server/axis/repo.js';
import { fieldKeys, fieldPackage, fieldStatus } from '../../bed/axis-sim/field-edxml.js';
import type { SimDoc } from '../../bed/axis-sim/index.js';
import { BODY, createAxisBed, KYSO_SYSTEM, until, type AxisBed } from './bed.js';

let ab: AxisBed;
let axis: AxisRepo;
const work = () => `${ab.bed.dir}/field`;

beforeAll(async () => {
  ab = await createAxisBed();
  axis = new AxisRepo(ab.server.repo.db);
  await until(async () => (await axis.outsideBodies()).length > 0, 'the directory');
});
afterAll(async () => ab?.close());

async function pkg(o: { from?: { code: string; name: string }; to?: { code: string; name: string }[]; number: string; body?: Buffer; signing?: 'none' | 'rsa-sha1' }): Promise<{ bytes: Buffer; documentId: string }> {
  const from = o.from ?? BODY.X;
  return fieldPackage({
    header: {
      from: { organId: from.code, organName: from.name }, to: (o.to ?? [BODY.A]).map((t) => ({ organId: t.code, organName: t.name })),
      code: { codeNumber: o.number, codeNotation: 'VP-TH' }, promulgationInfo: { place: 'Nghệ An', promulgationDate: '2026/12/01' },
      documentType: { type: 1, typeDetail: 3, typeName: 'Công văn' }, subject: `Công văn ${o.number}`, signerInfo: { position: 'Chánh Văn phòng', fullName: 'Trần Thị Bình' },
    },
    attachments: [{ meta: { contentId: 'vb', attachmentName: `${o.number}.pdf` }, data: o.body ?? Buffer.from(`%PDF-1.4\n% ${o.number}\n%%EOF\n`) }],
  }, o.signing ?? 'none', fieldKeys(work(), 'Nghệ An'), work());
}

const inject = (kind: 'edoc' | 'status', bytes: Buffer, from: string = BODY.X.code) => ab.sim.state.inject(KYSO_SYSTEM.systemId, kind, from, [BODY.A.code], bytes);

/** Waits for the entry to be refused; returns its row and the audit entry about it. */
async function refused(d: SimDoc) {
  const row = await until(async () => {
    const r = await axis.inbound('vxp', d.docId);
    return r?.state === 'refused' ? r : null;
  }, `refusal of ${d.docId}`);
  const audit = (await ab.server.repo.auditTrail(100_000)).find((e) => e.action === 'axis.inbound.refuse' && e.target === d.docId)!;
  expect(audit).toBeDefined();
  // The axis is told, so it stops offering it and the sender can learn of it.
  await until(() => d.delivery.get(KYSO_SYSTEM.systemId) === 'fail', 'the fail acknowledgement');
  return { row, audit };
}

describe('bad input from the axis', () => {
  it('malformed JSON in a listing: audited, recorded on the link, the next poll goes on', async () => {
    let left = 2;
    ab.sim.craft = (c) => (c.call === 'getReceivedEdocList' && left-- > 0 ? { body: '{"status":"OK","data":[{"docId":' } : undefined);
    await until(async () => (await ab.server.repo.auditTrail(100_000)).some((e) => e.action === 'axis.badAnswer' && e.detail.call === 'getReceivedEdocList' && e.detail.code === 'axisBadAnswer'), 'the audit entry');
    ab.sim.craft = null;
    const st = (await axis.status()).find((s) => s.link === 'vxp')!;
    expect(st.lastError).toContain('getReceivedEdocList: axisBadAnswer');
  });

  it('malformed JSON for one download: retried a few times, then refused (audited each time)', async () => {
    const d = inject('edoc', (await pkg({ number: '901' })).bytes);
    ab.sim.craft = (c) => (c.call === 'getEdoc' && c.docId === d.docId ? { body: '<html>502 Bad Gateway</html>' } : undefined);
    const { row, audit } = await refused(d);
    ab.sim.craft = null;
    expect(row.lastError).toBe('axisBadAnswer');
    expect(row.attempts).toBe(10);
    expect(audit.detail).toMatchObject({ code: 'axisBadAnswer', call: 'getEdoc' });
    expect((await ab.server.repo.auditTrail(100_000)).filter((e) => e.action === 'axis.badAnswer' && e.target === d.docId)).toHaveLength(10);
  });

  it('a wrong HMAC on a signed answer is refused; a right one is accepted', async () => {
    ab.sim.signAnswers = true;
    const d = inject('edoc', (await pkg({ number: '902' })).bytes);
    ab.sim.craft = (c) => {
      if (c.call !== 'getEdoc' || c.docId !== d.docId) return undefined;
      const body = Buffer.from(JSON.stringify({ status: 'OK', ErrorCode: '0', ErrorDesc: '', data: d.bytes.toString('base64') }));
      return { body, headers: { 'XroadVnpt-sign-header-key': 'systemid', 'XroadVnpt-sign-header': '{"XroadVnpt-systemid":"kyso.h99"}', 'XroadVnpt-systemid': 'kyso.h99', 'XroadVnpt-hash-header': '0'.repeat(64) } };
    };
    const { row, audit } = await refused(d);
    ab.sim.craft = null;
    expect(row.lastError).toBe('axisBadSignature');
    expect(audit.detail).toMatchObject({ code: 'axisBadSignature', detail: 'HMAC does not match' });
    const good = inject('edoc', (await pkg({ number: '903' })).bytes);
    await until(async () => (await axis.inbound('vxp', good.docId))?.state === 'delivered', 'a signed answer to be accepted');
    ab.sim.signAnswers = false;
  });

  it('a package over the link\'s limit, a truncated one and a tampered signature are refused; bytes kept when received', async () => {
    await ab.server.repo.db.run("UPDATE axis_links SET config = $1 WHERE name = 'vxp'", [JSON.stringify({ ...(await axis.link('vxp'))!.config, maxPackageBytes: 64 * 1024 })]);
    const big = inject('edoc', (await pkg({ number: '904', body: Buffer.alloc(200 * 1024, 7) })).bytes);
    const r1 = await refused(big);
    expect(r1.row).toMatchObject({ lastError: 'axisTooLarge', blobSha256: null });
    expect(r1.audit.detail).toMatchObject({ code: 'axisTooLarge', limit: 65536 });
    await ab.server.repo.db.run("UPDATE axis_links SET config = $1 WHERE name = 'vxp'", [JSON.stringify({ ...(await axis.link('vxp'))!.config, maxPackageBytes: 256 * 1024 ** 2 })]);

    const whole = (await pkg({ number: '905' })).bytes;
    const cut = inject('edoc', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r2 = await refused(cut);
    expect(r2.row.lastError).toBe('edxmlMalformed');
    // Kept as received: the blob is the first 60 % of the package.
    expect(r2.row.blobSha256).toBe(createHash('sha256').update(whole.subarray(0, Math.floor(whole.length * 0.6))).digest('hex'));
    expect(existsSync(path.join(ab.dataDir, 'blobs', r2.row.blobSha256!.slice(0, 2), r2.row.blobSha256!))).toBe(true);

    const signed = (await pkg({ number: '906', signing: 'rsa-sha1' })).bytes.toString('utf8');
    const tampered = inject('edoc', Buffer.from(signed.replace('Công văn 906', 'Công văn 960')));
    const r3 = await refused(tampered);
    expect(r3.row.lastError).toBe('edxmlSignatureInvalid');
  });

  it('a package for nobody here, one from a body we host, a status about an unknown document: refused, kept, audited', async () => {
    const nobody = inject('edoc', (await pkg({ number: '907', to: [BODY.Y] })).bytes);
    const r1 = await refused(nobody);
    expect(r1.row.lastError).toBe('axisNoLocalRecipient');
    expect(r1.audit.detail).toMatchObject({ to: BODY.Y.code });
    expect(r1.row.blobSha256).toMatch(/^[0-9a-f]{64}$/);

    const spoof = inject('edoc', (await pkg({ number: '908', from: BODY.B, to: [BODY.A] })).bytes, BODY.B.code);
    expect((await refused(spoof)).row.lastError).toBe('axisSpoofedSender');

    const st = await fieldStatus({
      responseFor: { organId: BODY.A.code, code: '1/UBND', promulgationDate: '2026/12/01', documentId: `${BODY.A.code},2026/12/01,1/UBND` },
      from: { organId: BODY.X.code, organName: BODY.X.name }, statusCode: '03', timestamp: '2026/12/01 10:00:00',
    }, 'none', fieldKeys(work(), 'Nghệ An'), work());
    const unknown = inject('status', st);
    const r3 = await refused(unknown);
    expect(r3.row.lastError).toBe('axisUnknownDocument');
    expect(r3.audit.detail).toMatchObject({ code: 'axisUnknownDocument', documentId: `${BODY.A.code},2026/12/01,1/UBND` });
    // The refused bytes are in the blob store, as received.
    expect(r3.row.blobSha256).toBe(createHash('sha256').update(st).digest('hex'));
    expect(readFileSync(path.join(ab.dataDir, 'blobs', r3.row.blobSha256!.slice(0, 2), r3.row.blobSha256!)).equals(st)).toBe(true);
  });

  it('the gateway kept running: a sound document from X arrives and nothing else was delivered', async () => {
    const ok = await ab.x.send({ to: [{ code: BODY.A.code, name: BODY.A.name }], subject: 'Sau các lỗi', number: '999', notation: 'VP-TH' });
    await until(async () => {
      await ab.clientA.sync();
      return ab.storeA.incoming.list({ limit: 100 }).some((d) => d.documentId === ok.documentId);
    }, 'the sound document at A');
    const docs = ab.storeA.incoming.list({ limit: 100 }).map((d) => d.number).sort();
    expect(docs).toEqual(['903', '999']);
    const st = (await axis.status()).find((s) => s.link === 'vxp')!;
    expect(st.inbound.refused).toBe(8);
    expect(st.inbound.lastError).toBeTruthy();
  });
});
