/**
 * Two gateways on one PostgreSQL database: a province runs several `kyso server` instances
 * behind a load balancer (issue 17), so each runs its own sender and poller against the same
 * queue and the same axis account. Two real server processes share one schema and one axis
 * link while the simulator fails 15 % of calls, drops or cuts the answer of 10 % and delays
 * others. A's clerks send 40 documents to X, half through each instance; X answers 01 and 03
 * to each and sends 10 documents that A's clerk registers (01 from the gateway, 03 from the
 * clerk); one recall goes each way (13 answered 15). Half way through clerk 1's uploads,
 * while every axis call takes 1.5 s, instance 1 is SIGKILLed: instance 2 takes over its
 * leased relays and entries, clerk 1 finishes through instance 2. Then:
 * - each queued relay was sent by exactly one attempt (one `axis.relay.out` per row), every
 *   counted attempt ended once but the 1 to 4 instance 1 died in, and the axis received
 *   nothing beyond the rows, the sends whose answer it lost and those the dead instance made
 *   (its API has no idempotency key);
 * - each document and status from the axis was delivered once: every axis entry ended
 *   `delivered`, or `duplicate` exactly for X's sends that lost their answer (the same edXML
 *   identity offered twice), none left pending, all acknowledged `done` at the axis;
 * - A's registers and X's hold each document once and each status once.
 * Found with it: uploads to an outside body deadlocked an instance's connection pool
 * (pool-locks.test.ts), and both pollers handled the same axis entry at once, turning
 * `delivered` into `duplicate` or leaving an entry `pending` for good (the inbound claim).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { addAxisLink } from '../../../server/axis/admin.js';
import { AxisRepo } from '../../../server/axis/repo.js';
import { openRepo } from '../../../server/store.js';
import { AxisSimulator } from '../../bed/axis-sim/index.js';
import { OutsideBody } from '../../bed/axis-sim/outside-body.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { backend, BODY, dropSchema, KYSO_SYSTEM, PG, SECRET_ENV, until, within, X_SYSTEM } from './bed.js';

if (!PG && process.env.CI === 'true') throw new Error('KYSO_TEST_PG_URL is not set in CI (scripts/pg-test.sh).');

const N_OUT = 40;
const N_IN = 10;
const script = path.join(import.meta.dirname, 'server-process.ts');
const FAULTS = { failRate: 0.15, dropRate: 0.05, truncateRate: 0.05, delayMs: 40, delayRate: 0.3 };

/** One `kyso server` process (server-process.ts: the gateway's test timings). */
interface Instance {
  child: ChildProcess;
  url: string;
}

async function startInstance(cfgPath: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, cfgPath], { env: { ...process.env, [SECRET_ENV]: KYSO_SYSTEM.secret }, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, url: (JSON.parse(line.toString()) as { url: string }).url };
}

describe.skipIf(!PG)('two gateways on one PostgreSQL database, the axis failing a quarter of calls', () => {
  let bed: TestBed;
  let sim: AxisSimulator;
  let x: OutsideBody;
  let signer: Signer;
  let dataDir: string;
  const dbOpts = backend('postgres');
  const instances: Instance[] = [];
  const stores: Store[] = [];

  /** A's clerk working through one instance (a home of its own). */
  function clerk(name: string, url: string, store?: Store): { store: Store; client: ExchangeClient } {
    const home = path.join(bed.dir, `home-${name}`);
    const s = store ?? openStore(home);
    if (!store) stores.push(s);
    const client = new ExchangeClient({ store: s, home, server: url, signer: async () => signer, validator: defaultValidator([], true, home), backoff: { baseMs: 50, maxMs: 500, maxAttempts: 1000 } });
    return { store: s, client };
  }

  beforeAll(async () => {
    bed = await createTestBed();
    sim = await AxisSimulator.start({ seed: 2, systems: [{ ...KYSO_SYSTEM, agencies: [BODY.A, BODY.B] }, { ...X_SYSTEM, agencies: [BODY.X] }] });
    dataDir = path.join(bed.dir, 'server');
    mkdirSync(dataDir, { recursive: true });
    const repo = await openRepo(dataDir, dbOpts);
    await repo.addOrg({ ...BODY.A, parent: null });
    const issued = await bed.pki.issue({ name: 'clerk-a', profile: 'official', subject: [['C', 'VN'], ['O', BODY.A.name], ['CN', 'Văn thư']] });
    const cert = bed.loadCert(issued);
    await repo.addUser({ orgCode: BODY.A.code, certSha256: createHash('sha256').update(cert.der).digest('hex'), subject: cert.subject, certDer: cert.der.toString('base64') });
    // A call gives up before its lease (FAST: 3 s) ends, as in production (timeout + 30 s).
    await addAxisLink(repo, dataDir, { kind: 'vxp', endpoint: sim.vxpUrl, systemId: KYSO_SYSTEM.systemId, secret: { env: SECRET_ENV }, config: { timeoutMs: 2500 } });
    await repo.db.close();
    signer = softwareSigner(readFileSync(issued.keyPath!), cert.der, [bed.certs.issuing.der]);
    // Both instances on the same schema and the same data directory (local blobs shared: one host).
    const cfgPath = path.join(bed.dir, 'server.json');
    writeFileSync(cfgPath, JSON.stringify({ dataDir, port: 0, trustFiles: [bed.certs.root.certPath], ...dbOpts }));
    instances.push(...(await Promise.all([startInstance(cfgPath), startInstance(cfgPath)])));
    x = new OutsideBody({ home: path.join(bed.dir, 'x'), ...BODY.X, axis: { kind: 'vxp', endpoint: sim.vxpUrl, ...X_SYSTEM }, pollMs: 100 });
  }, 120_000);

  afterAll(async () => {
    await x?.stop();
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
    for (const s of stores) s.close();
    await sim?.close();
    await bed?.close();
    await dropSchema(dbOpts);
  });

  it('every relay goes once, every delivery and status arrives once, instance 1 killed mid-attempt', async () => {
    let one = clerk('1', instances[0]!.url);
    const two = clerk('2', instances[1]!.url);
    // The directory must be known before sending (the axis is healthy for that).
    for (const c of [one, two]) await until(async () => (await c.client.directory(true)).some((o) => o.code === BODY.X.code), 'the axis directory');
    sim.faults = FAULTS;
    x.start();
    const pdf = path.join(bed.dir, 'vb.pdf');
    writeFileSync(pdf, '%PDF-1.4\n% văn bản\n%%EOF\n');
    const sent: { id: string; by: 1 | 2 }[] = [];
    for (let i = 1; i <= N_OUT; i++) {
      const by = i % 2 ? 1 : 2;
      sent.push({ id: (await (by === 1 ? one : two).client.queue({ to: [BODY.X.code], subject: `Văn bản số ${i} gửi Nghệ An`, number: String(i), notation: 'UBND-VP', type: 'Công văn', files: [pdf] })).messageId, by });
    }
    // Clerk 2 uploads its half through instance 2 while X sends its documents.
    const flushed = two.client.flush({ untilEmpty: true });
    const xDocs: { documentId: string }[] = [];
    for (let i = 1; i <= N_IN; i++) xDocs.push(await x.send({ to: [{ code: BODY.A.code, name: BODY.A.name }], subject: `Công văn ${i} của Nghệ An`, number: String(100 + i), notation: 'VP-TH' }));
    expect(await within(flushed, 30_000, 'the uploads to instance 2')).toMatchObject({ sent: N_OUT / 2, failed: 0 });
    // Clerk 1 uploads the other half through instance 1 while every axis call takes 1.5 s, so
    // both gateways hold relays and entries mid-call; half way, instance 1 is killed. Its
    // attempts stay leased (3 s, past the link's 2.5 s call timeout) and instance 2 takes them
    // over; clerk 1 finishes through instance 2 (the upload cut by the kill counts once).
    sim.faults = { ...FAULTS, delayMs: 1500, delayRate: 1 };
    const stop = new AbortController();
    const first = one.client.flush({ untilEmpty: true, signal: stop.signal });
    await until(() => one.store.outbox.list({ state: 'sent' }).length >= N_OUT / 4, 'half of clerk 1\'s uploads', 30_000);
    instances[0]!.child.kill('SIGKILL');
    await once(instances[0]!.child, 'exit');
    sim.faults = FAULTS;
    stop.abort();
    const r1 = await within(first, 10_000, 'the uploads to instance 1 to stop');
    one = clerk('1', instances[1]!.url, one.store);
    const r2 = await within(one.client.flush({ untilEmpty: true }), 30_000, 'the rest of clerk 1\'s uploads through instance 2');
    expect([r1.sent + r2.sent, r1.failed + r2.failed, r2.pending]).toEqual([N_OUT / 2, 0, 0]);
    const storeOf = (by: 1 | 2) => (by === 1 ? one : two).store;

    // A's clerk 2 registers what X sent, as it comes.
    await until(async () => {
      await two.client.sync().catch(() => undefined);
      for (const d of two.store.incoming.list({ state: 'arrived', limit: 100 })) await two.client.accept(d.messageId).catch(() => undefined);
      return two.store.incoming.list({ state: 'accepted', limit: 100 }).length === N_IN;
    }, 'A to register every document from X', 40_000);
    await until(() => x.register.size === N_OUT && xDocs.every((d) => (x.statuses.get(d.documentId) ?? []).some((s) => s.code === '03')), 'X to have every document and every 03', 40_000);

    // One recall each way: A recalls, X agrees; X recalls, A's clerk agrees.
    const recalledOut = sent[1]!;
    await two.client.recall(recalledOut.id, 'Ban hành nhầm đối tượng');
    const recalledIn = two.store.incoming.list({ limit: 100 }).find((d) => d.documentId === xDocs[0]!.documentId)!;
    await x.recall(recalledIn.documentId, '101', 'VP-TH', recalledIn.promulgationDate!, 'Thay đổi nội dung');
    await until(async () => {
      await two.client.sync().catch(() => undefined);
      return two.store.incoming.get(recalledIn.messageId)!.recallAt;
    }, 'X\'s recall at A', 40_000);
    await two.client.answerRecall(recalledIn.messageId, '15');
    await until(() => (x.statuses.get(recalledIn.documentId) ?? []).some((s) => s.code === '15'), '15 at X', 40_000);
    await until(async () => {
      await Promise.all([one.client.sync().catch(() => undefined), two.client.sync().catch(() => undefined)]);
      return sent.every(({ id, by }) => {
        const codes = storeOf(by).outgoing.get(id)!.timeline.filter((e) => e.orgCode === BODY.X.code).map((e) => e.statusCode);
        return codes.includes('03') && (id !== recalledOut.id || codes.includes('15'));
      });
    }, '01, 03 (and 15) from X in A\'s outgoing registers', 40_000);

    // X: each of A's documents registered once; one 01 and one 03 for each of its own (and the 15).
    expect(x.register.size).toBe(N_OUT);
    expect([...x.register.values()].filter((r) => r.recalled).map((r) => r.number)).toEqual(['2']);
    for (const d of xDocs) expect((x.statuses.get(d.documentId) ?? []).map((s) => s.code).sort()).toEqual(d === xDocs[0] ? ['01', '03', '15'] : ['01', '03']);
    // A: each document from X once; each of A's documents with one 01 and one 03 from X (and the 15).
    expect(two.store.incoming.list({ limit: 100 }).map((d) => d.documentId).sort()).toEqual(xDocs.map((d) => d.documentId).sort());
    for (const { id, by } of sent) {
      expect(storeOf(by).outgoing.get(id)!.timeline.filter((e) => e.orgCode === BODY.X.code).map((e) => e.statusCode)).toEqual(id === recalledOut.id ? ['01', '03', '15'] : ['01', '03']);
    }

    // Quiet the axis and let the last acknowledgements go, then stop both instances and look at the database.
    sim.faults = { failRate: 0, dropRate: 0, truncateRate: 0, delayMs: 0, delayRate: 0 };
    const acked = () => sim.state.docs.filter((d) => d.delivery.has(KYSO_SYSTEM.systemId)).every((d) => d.delivery.get(KYSO_SYSTEM.systemId) === 'done');
    await until(acked, 'every axis entry acknowledged', 20_000);
    await x.stop();
    instances[1]!.child.kill('SIGTERM');
    await once(instances[1]!.child, 'exit');
    const repo = await openRepo(dataDir, dbOpts);
    try {
      const axis = new AxisRepo(repo.db);
      const trail = await repo.auditTrail(100_000);
      const count = (action: string) => trail.filter((e) => e.action === action).length;

      // Outbound: N_OUT documents; statuses: 01 (gateway) and 03 (clerk) per document from X, A's 13 and 15.
      const outbox = await axis.outbox();
      expect(outbox.filter((r) => r.state !== 'sent')).toEqual([]);
      expect(outbox.filter((r) => r.kind === 'doc')).toHaveLength(N_OUT);
      expect(outbox.filter((r) => r.kind === 'status')).toHaveLength(N_IN * 2 + 2);
      // One successful attempt per row; every counted attempt ended once (sent or retried),
      // but for those instance 1 was killed in (at most its 4 parallel sends, at least one).
      const attempts = outbox.reduce((n, r) => n + r.attempts, 0);
      expect(count('axis.relay.out')).toBe(outbox.length);
      expect(count('axis.relay.retry')).toBeGreaterThan(0);
      const killed = attempts - count('axis.relay.out') - count('axis.relay.retry');
      expect(killed).toBeGreaterThanOrEqual(1);
      expect(killed).toBeLessThanOrEqual(4);
      // Each row's recorded axis id is one the axis gave; beyond the rows, the axis only carried
      // the sends whose answer it dropped or cut and those instance 1 died waiting for.
      const kysoSends = sim.state.docs.filter((d) => d.fromSystem === KYSO_SYSTEM.systemId);
      const ids = new Set(kysoSends.map((d) => d.docId));
      expect(outbox.every((r) => r.axisDocId && ids.has(r.axisDocId))).toBe(true);
      const ambiguous = sim.calls.filter((c) => c.systemId === KYSO_SYSTEM.systemId && c.call.startsWith('send') && (c.outcome === 'drop' || c.outcome === 'truncate')).length;
      expect(kysoSends.length - outbox.length - ambiguous).toBeGreaterThanOrEqual(0);
      expect(kysoSends.length - outbox.length - ambiguous).toBeLessThanOrEqual(killed);

      // Inbound: every axis entry for us ended delivered or duplicate (a second offer of the same identity), none pending.
      const inbound = await axis.inboundAll();
      const forUs = sim.state.docs.filter((d) => d.delivery.has(KYSO_SYSTEM.systemId));
      expect(inbound.map((r) => r.axisDocId).sort()).toEqual(forUs.map((d) => d.docId).sort());
      expect(inbound.filter((r) => r.state !== 'delivered' && r.state !== 'duplicate')).toEqual([]);
      // Statuses in: 01 and 03 per document of A, X's 15 and X's 13.
      const nStatusIn = N_OUT * 2 + 2;
      expect(inbound.filter((r) => r.kind === 'edoc' && r.state === 'delivered')).toHaveLength(N_IN);
      expect(inbound.filter((r) => r.kind === 'status' && r.state === 'delivered')).toHaveLength(nStatusIn);
      expect(count('axis.inbound.deliver')).toBe(N_IN);
      expect(count('axis.inbound.status')).toBe(nStatusIn);
      // A second offer is only ever a second axis entry: as many as X's sends that lost their answer.
      const xAmbiguous = sim.calls.filter((c) => c.systemId === X_SYSTEM.systemId && c.call.startsWith('send') && (c.outcome === 'drop' || c.outcome === 'truncate')).length;
      expect(inbound.filter((r) => r.state === 'duplicate').length).toBe(xAmbiguous);
      expect(count('axis.inbound.duplicate')).toBe(xAmbiguous);
      // The server's rows: one message per document, one row per status from X.
      expect((await repo.counts()).messages).toBe(N_OUT + N_IN);
      const fromX = await repo.db.all('SELECT message_ref, code, COUNT(*) AS n FROM statuses WHERE from_org = $1 GROUP BY message_ref, code', [BODY.X.code]);
      expect(fromX).toHaveLength(nStatusIn);
      expect(fromX.every((r) => Number(r.n) === 1)).toBe(true);

      const t = sim.tally();
      process.stdout.write(`[axis two gateways] axis calls ${sim.calls.length}: ${JSON.stringify(t)}; relays ${outbox.length}, attempts ${attempts} (killed ${killed}), transmissions by Kyso ${kysoSends.length} (answers lost ${ambiguous}); inbound entries ${inbound.length} (second offers ${xAmbiguous}); acknowledgements ${sim.calls.filter((c) => c.call === 'updateStatus' && c.systemId === KYSO_SYSTEM.systemId).length}\n`);
      expect(t.fail + t.drop + t.truncate).toBeGreaterThan(sim.calls.length * 0.15);
    } finally {
      await repo.db.close();
    }
  }, 120_000);
});
