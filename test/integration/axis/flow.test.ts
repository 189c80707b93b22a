/**
 * End to end through the axis simulator (VXP shape, then LGSP): body A on the Kyso server
 * sends to X behind the axis; X's 01 and 03 reach A's outgoing register; X sends to A
 * (unsigned, then RSA-SHA1 signed by xmlsec1) and A's clerk accepts it with the CLI (X gets
 * 01 from the gateway and 03 from the clerk); recalls round-trip both ways (A recalls, X
 * agrees; X recalls, A's clerk agrees). The axis directory reaches A's client as outside bodies.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxisRepo } from '../../../server/axis/repo.js';
import { kyso } from '../exchange-client/cli-io.js';
import { events, token } from '../exchange-server/api.js';
import { BODY, backend, createAxisBed, PG, until, type AxisBed } from './bed.js';

const shapes: ['vxp' | 'lgsp', 'sqlite' | 'postgres'][] = [['vxp', 'sqlite'], ['lgsp', 'sqlite'], ...(PG ? ([['vxp', 'postgres']] as ['vxp', 'postgres'][]) : [])];

describe.each(shapes)('through the axis (%s, %s)', (kind, db) => {
  let ab: AxisBed;
  let pdf: string;
  let sentId: string;
  let documentIdA: string;
  const keyArgs = () => ['--server', ab.server.url, '--key-file', ab.certA.keyPath!, '--cert-file', ab.certA.certPath, '--trust', ab.bed.certs.root.certPath];
  const env = () => ({ ...process.env, KYSO_HOME: ab.homeA });

  beforeAll(async () => {
    ab = await createAxisBed({ kind, db: backend(db), x: { signing: kind === 'vxp' ? 'none' : 'rsa-sha1' } });
    pdf = path.join(ab.bed.dir, 'cong-van.pdf');
    writeFileSync(pdf, '%PDF-1.4\n% công văn thử\n%%EOF\n');
  });
  afterAll(async () => ab?.close());

  it('shows the axis directory to clients, marked as outside bodies', async () => {
    await until(async () => (await new AxisRepo(ab.server.repo.db).outsideBodies()).length === 2, 'the axis directory');
    const dir = await ab.clientA.directory(true);
    expect(dir.find((o) => o.code === BODY.X.code)).toMatchObject({ name: BODY.X.name, outside: true });
    expect(dir.find((o) => o.code === BODY.B.code)).toMatchObject({ outside: false });
    // The server's own bodies listed by the axis are not repeated as outside ones.
    expect(dir.filter((o) => o.code === BODY.A.code)).toHaveLength(1);
  });

  it('A sends to X: X registers it once; 01 and 03 come back to A\'s outgoing register', async () => {
    const q = await ab.clientA.queue({ to: [BODY.X.code], subject: 'Đề nghị phối hợp tổ chức hội nghị', number: '21', notation: 'UBND-VP', type: 'Công văn', files: [pdf] });
    sentId = q.messageId;
    documentIdA = ab.storeA.outgoing.get(sentId)!.documentId;
    // The axis is down for a moment: the relay waits in the queue, counted by the server's metric.
    ab.sim.faults = { ...ab.sim.faults, failRate: 1 };
    try {
      expect(await ab.clientA.flush()).toMatchObject({ sent: 1, failed: 0 });
      await until(async () => /^kyso_relay_queue_depth 1$/m.test(await ab.server.metrics.render()), 'the relay counted in kyso_relay_queue_depth');
    } finally {
      ab.sim.faults = { ...ab.sim.faults, failRate: 0 };
    }
    await until(() => [...ab.x.register.values()].find((r) => r.documentId === documentIdA), 'X to register the document');
    await until(async () => /^kyso_relay_queue_depth 0$/m.test(await ab.server.metrics.render()), 'the queue drained');
    const codes = await until(async () => {
      await ab.clientA.sync();
      const t = ab.storeA.outgoing.get(sentId)!.timeline.filter((e) => e.orgCode === BODY.X.code).map((e) => e.statusCode);
      return t.includes('03') ? t : null;
    }, '03 from X');
    expect(codes).toEqual(['01', '03']);
    const x = [...ab.x.register.values()].find((r) => r.documentId === documentIdA)!;
    // Kyso's package is signed (RSA-SHA256): X's reader says so.
    expect(x.signature).toBe('valid');
    const out = (await new AxisRepo(ab.server.repo.db).outbox()).filter((r) => r.kind === 'doc');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ state: 'sent', toOrgs: [BODY.X.code], fromOrg: BODY.A.code });
  });

  let fromX: { documentId: string };
  it('X sends to A: delivered, shown with its signature state, accepted by A\'s clerk with the CLI; X gets 01 and 03', async () => {
    // A's clerk has the live event stream open: what the gateway delivers is announced like any delivery.
    const live = await events(ab.server.url, await token(ab.server.url, ab.signerA));
    let timer: NodeJS.Timeout | undefined;
    fromX = await ab.x.send({ to: [{ code: BODY.A.code, name: BODY.A.name }], subject: 'Về việc cử cán bộ dự hội nghị', number: '77', notation: 'VP-TH' });
    try {
      const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no live event for X\'s document')), 20_000)));
      let ev = await Promise.race([live.next(), deadline]);
      while (ev.type !== 'inbox') ev = await Promise.race([live.next(), deadline]);
      expect(ev.item).toMatchObject({ documentId: fromX.documentId, senderOrganId: BODY.X.code, status: '01' });
    } finally {
      clearTimeout(timer);
      live.close();
    }
    const sync = await until(async () => {
      const r = await kyso(['inbox', 'sync', ...keyArgs(), '--json'], env());
      return ab.storeA.incoming.list({ limit: 100 }).find((d) => d.documentId === fromX.documentId) ? r : null;
    }, 'the document from X in A\'s inbox');
    expect(sync.code).toBe(0);
    const doc = ab.storeA.incoming.list({ limit: 100 }).find((d) => d.documentId === fromX.documentId)!;
    expect(doc.fromCode).toBe(BODY.X.code);
    expect(doc.signatureState).toBe(kind === 'vxp' ? 'unsigned' : 'valid-weak-algorithm');
    const accepted = await kyso(['inbox', 'accept', doc.messageId, ...keyArgs()], env());
    expect(accepted.err).toBe('');
    expect(accepted.code).toBe(0);
    const got = await until(() => {
      const s = ab.x.statuses.get(fromX.documentId) ?? [];
      return s.some((e) => e.code === '03') ? s : null;
    }, '03 at X');
    expect(got.map((s) => [s.from, s.code])).toEqual([[BODY.A.code, '01'], [BODY.A.code, '03']]);
  });

  it('a recall round-trips: A recalls, X agrees (15 in A\'s register); X recalls, A\'s clerk agrees (15 at X)', async () => {
    await ab.clientA.recall(sentId, 'Văn bản ban hành nhầm đối tượng');
    await until(() => [...ab.x.register.values()].find((r) => r.documentId === documentIdA)?.recalled, 'X to see the recall');
    await until(async () => {
      await ab.clientA.sync();
      return ab.storeA.outgoing.get(sentId)!.timeline.some((e) => e.orgCode === BODY.X.code && e.statusCode === '15');
    }, '15 from X');
    const doc = ab.storeA.incoming.list({ limit: 100 }).find((d) => d.documentId === fromX.documentId)!;
    const date = doc.promulgationDate!;
    await ab.x.recall(fromX.documentId, '77', 'VP-TH', date, 'Thay đổi thời gian hội nghị');
    await until(async () => {
      await ab.clientA.sync();
      return ab.storeA.incoming.get(doc.messageId)!.recallAt;
    }, 'the recall at A');
    expect(ab.storeA.incoming.get(doc.messageId)!.recallReason).toBe('Thay đổi thời gian hội nghị');
    const answered = await kyso(['inbox', 'status', doc.messageId, '15', ...keyArgs()], env());
    expect(answered.code).toBe(0);
    await until(() => (ab.x.statuses.get(fromX.documentId) ?? []).some((e) => e.code === '15'), '15 at X');
    // Every relay went exactly once: nothing pending or dead, nothing delivered twice.
    const axis = new AxisRepo(ab.server.repo.db);
    expect((await axis.outbox()).every((r) => r.state === 'sent')).toBe(true);
    expect(ab.x.duplicates).toBe(0);
    const trail = await ab.server.repo.auditTrail();
    expect(trail.filter((e) => e.action === 'axis.inbound.deliver')).toHaveLength(1);
  });

  it('a refused recall round-trips: A recalls, X refuses (16 in A\'s register); X recalls, A\'s clerk refuses (16 at X)', async () => {
    const q = await ab.clientA.queue({ to: [BODY.X.code], subject: 'Về việc báo cáo tháng 12', number: '22', notation: 'UBND-VP', type: 'Công văn', files: [pdf] });
    expect(await ab.clientA.flush()).toMatchObject({ sent: 1, failed: 0 });
    const docA = ab.storeA.outgoing.get(q.messageId)!.documentId;
    await until(() => [...ab.x.register.values()].find((r) => r.documentId === docA), 'X to register the second document');
    ab.x.recallAnswer = '16';
    try {
      await ab.clientA.recall(q.messageId, 'Cần bổ sung số liệu');
      await until(async () => {
        await ab.clientA.sync();
        return ab.storeA.outgoing.get(q.messageId)!.timeline.some((e) => e.orgCode === BODY.X.code && e.statusCode === '16');
      }, '16 from X');
    } finally {
      ab.x.recallAnswer = '15';
    }
    expect(ab.storeA.outgoing.get(q.messageId)!.timeline.filter((e) => e.orgCode === BODY.X.code).map((e) => e.statusCode)).not.toContain('15');

    const second = await ab.x.send({ to: [{ code: BODY.A.code, name: BODY.A.name }], subject: 'Về việc lịch trực tết', number: '78', notation: 'VP-TH' });
    const doc = await until(async () => {
      await ab.clientA.sync();
      return ab.storeA.incoming.list({ limit: 100 }).find((d) => d.documentId === second.documentId) ?? null;
    }, 'X\'s second document at A');
    await ab.x.recall(second.documentId, '78', 'VP-TH', doc.promulgationDate!, 'Điều chỉnh lịch trực');
    await until(async () => {
      await ab.clientA.sync();
      return ab.storeA.incoming.get(doc.messageId)!.recallAt;
    }, 'the second recall at A');
    const refused = await kyso(['inbox', 'status', doc.messageId, '16', ...keyArgs()], env());
    expect([refused.code, refused.err]).toEqual([0, '']);
    await until(() => (ab.x.statuses.get(second.documentId) ?? []).some((e) => e.code === '16'), '16 at X');
    expect((ab.x.statuses.get(second.documentId) ?? []).map((e) => e.code)).not.toContain('15');
    expect(ab.x.duplicates).toBe(0);
    expect((await new AxisRepo(ab.server.repo.db).outbox()).every((r) => r.state === 'sent')).toBe(true);
  });
});
