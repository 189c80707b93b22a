/**
 * Exactly once across crashes and a failing axis: the server (a separate process) is
 * SIGKILLed three times while documents and statuses are being relayed both ways, and the
 * axis fails 30 % of all calls (15 % refused before doing anything, 10 % done but never
 * answered, 5 % answered half way), with delays. In the end every document and every status
 * arrived exactly once: at X (its register and the statuses it heard), on the server (one
 * message per document from X, one 01 and one 03 row per document to X) and in A's
 * registers; nothing is left pending or dead. The axis itself may have carried a relay twice
 * (its API has no idempotency key): only when an answer was lost, which the test bounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { addAxisLink } from '../../../server/axis/admin.js';
import { AxisRepo } from '../../../server/axis/repo.js';
import { openRepo } from '../../../server/store.js';
import { AxisSimulator } from '../../bed/axis-sim/index.js';
import { OutsideBody } from '../../bed/axis-sim/outside-body.js';
import { closedPortUrl } from '../../bed/server.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { backend, BODY, dropSchema, KYSO_SYSTEM, PG, SECRET_ENV, until, X_SYSTEM } from './bed.js';

const N_OUT = 12;
const N_IN = 8;
const script = path.join(import.meta.dirname, 'server-process.ts');

describe.each([['sqlite'], ...(PG ? [['postgres']] : [])] as ['sqlite' | 'postgres'][])('SIGKILL mid-relay with an axis failing 30 percent of calls (%s)', (db) => {
  let bed: TestBed;
  let sim: AxisSimulator;
  let x: OutsideBody;
  let store: Store;
  let client: ExchangeClient;
  let child: ChildProcess | undefined;
  let url: string;
  let cfgPath: string;
  let dataDir: string;
  const dbOpts = backend(db);
  let kills = 0;

  async function startProcess(): Promise<void> {
    child = spawn(process.execPath, ['--import', 'tsx', script, cfgPath], { env: { ...process.env, [SECRET_ENV]: KYSO_SYSTEM.secret }, stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    url = (JSON.parse(line.toString()) as { url: string }).url;
  }

  async function kill(): Promise<void> {
    child!.kill('SIGKILL');
    await once(child!, 'exit');
    kills++;
  }

  beforeAll(async () => {
    bed = await createTestBed();
    sim = await AxisSimulator.start({ seed: 12, systems: [{ ...KYSO_SYSTEM, agencies: [BODY.A, BODY.B] }, { ...X_SYSTEM, agencies: [BODY.X] }] });
    dataDir = path.join(bed.dir, 'server');
    mkdirSync(dataDir, { recursive: true });
    const port = Number(new URL(await closedPortUrl()).port);
    cfgPath = path.join(bed.dir, 'server.json');
    writeFileSync(cfgPath, JSON.stringify({ dataDir, port, trustFiles: [bed.certs.root.certPath], ...dbOpts }));
    const repo = await openRepo(dataDir, dbOpts);
    await repo.addOrg({ ...BODY.A, parent: null });
    const issued = await bed.pki.issue({ name: 'clerk-a', profile: 'official', subject: [['C', 'VN'], ['O', BODY.A.name], ['CN', 'Văn thư']] });
    const cert = bed.loadCert(issued);
    await repo.addUser({ orgCode: BODY.A.code, certSha256: createHash('sha256').update(cert.der).digest('hex'), subject: cert.subject, certDer: cert.der.toString('base64') });
    await addAxisLink(repo, dataDir, { kind: 'vxp', endpoint: sim.vxpUrl, systemId: KYSO_SYSTEM.systemId, secret: { env: SECRET_ENV } });
    await repo.db.close();
    await startProcess();
    x = new OutsideBody({ home: path.join(bed.dir, 'x'), ...BODY.X, axis: { kind: 'vxp', endpoint: sim.vxpUrl, ...X_SYSTEM }, pollMs: 100 });
    const home = path.join(bed.dir, 'home-a');
    store = openStore(home);
    const signer = softwareSigner(readFileSync(issued.keyPath!), cert.der, [bed.certs.issuing.der]);
    client = new ExchangeClient({ store, home, server: url, signer: async () => signer, validator: defaultValidator([], true, home), backoff: { baseMs: 50, maxMs: 500, maxAttempts: 1000 } });
  });

  afterAll(async () => {
    await x?.stop();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    store?.close();
    await sim?.close();
    await bed?.close();
    await dropSchema(dbOpts);
  });

  it('every document and status arrives exactly once', async () => {
    // The directory must be known before sending (the axis is healthy for that).
    await until(async () => (await client.directory(true)).some((o) => o.code === BODY.X.code), 'the axis directory');
    sim.faults = { failRate: 0.15, dropRate: 0.1, truncateRate: 0.05, delayMs: 40, delayRate: 0.3 };
    x.start();
    const pdf = path.join(bed.dir, 'vb.pdf');
    writeFileSync(pdf, '%PDF-1.4\n% văn bản\n%%EOF\n');
    const sent: string[] = [];
    for (let i = 1; i <= N_OUT; i++) sent.push((await client.queue({ to: [BODY.X.code], subject: `Văn bản số ${i} gửi Nghệ An`, number: String(i), notation: 'UBND-VP', type: 'Công văn', files: [pdf] })).messageId);
    const flushing = client.flush({ untilEmpty: true });
    const fromX = (async () => {
      const out: string[] = [];
      for (let i = 1; i <= N_IN; i++) out.push((await x.send({ to: [{ code: BODY.A.code, name: BODY.A.name }], subject: `Công văn ${i} của Nghệ An`, number: String(100 + i), notation: 'VP-TH' })).documentId);
      return out;
    })();
    // Three crashes while relays are in flight, each followed by a restart on the same port.
    for (const wait of [700, 900, 1100]) {
      await new Promise((r) => setTimeout(r, wait));
      await kill();
      await new Promise((r) => setTimeout(r, 200));
      await startProcess();
    }
    expect(await flushing).toMatchObject({ sent: N_OUT, failed: 0 });
    const xDocs = await fromX;
    // A's clerk registers everything X sent, as it comes (sync retries through the crashes above).
    await until(async () => {
      await client.sync().catch(() => undefined);
      for (const d of store.incoming.list({ state: 'arrived', limit: 100 })) await client.accept(d.messageId).catch(() => undefined);
      return store.incoming.list({ state: 'accepted', limit: 100 }).length === N_IN;
    }, 'A to register every document from X', 120_000);
    await until(() => x.register.size === N_OUT && xDocs.every((d) => (x.statuses.get(d) ?? []).filter((s) => s.code === '03').length === 1), 'X to have every document and every 03', 120_000);
    await until(async () => {
      await client.sync().catch(() => undefined);
      return sent.every((id) => ['01', '03'].every((c) => store.outgoing.get(id)!.timeline.some((e) => e.orgCode === BODY.X.code && e.statusCode === c)));
    }, '01 and 03 from X in A\'s outgoing register', 120_000);

    // At X: each of A's documents registered once; for each of X's documents one 01 and one 03.
    expect(x.register.size).toBe(N_OUT);
    for (const d of xDocs) expect((x.statuses.get(d) ?? []).map((s) => s.code).sort()).toEqual(['01', '03']);
    // In A's registers: each document from X once, each of A's documents with one 01 and one 03 from X.
    expect(store.incoming.list({ limit: 100 }).map((d) => d.documentId).sort()).toEqual([...xDocs].sort());
    for (const id of sent) expect(store.outgoing.get(id)!.timeline.filter((e) => e.orgCode === BODY.X.code).map((e) => e.statusCode)).toEqual(['01', '03']);
    // On the server: one message per document, one row per status; nothing pending or dead.
    sim.faults = { failRate: 0, dropRate: 0, truncateRate: 0, delayMs: 0, delayRate: 0 };
    await kill();
    const repo = await openRepo(dataDir, dbOpts);
    try {
      const axis = new AxisRepo(repo.db);
      const counts = await repo.counts();
      expect(counts.messages).toBe(N_OUT + N_IN);
      const fromXRows = await repo.db.all("SELECT message_ref, code, COUNT(*) AS n FROM statuses WHERE from_org = $1 GROUP BY message_ref, code", [BODY.X.code]);
      expect(fromXRows).toHaveLength(N_OUT * 2);
      expect(fromXRows.every((r) => Number(r.n) === 1)).toBe(true);
      const outbox = await axis.outbox();
      expect(outbox.filter((r) => r.state !== 'sent')).toEqual([]);
      // Documents out: N_OUT; statuses out: 01 (gateway) and 03 (clerk) per document in.
      expect(outbox.filter((r) => r.kind === 'doc')).toHaveLength(N_OUT);
      expect(outbox.filter((r) => r.kind === 'status')).toHaveLength(N_IN * 2);
      const trail = await repo.auditTrail(100_000);
      expect(trail.some((e) => e.action === 'axis.relay.retry')).toBe(true);
      // The axis carried a relay twice only when it did the call but lost the answer (or we were killed mid-call).
      const kysoSends = sim.state.docs.filter((d) => d.fromSystem === KYSO_SYSTEM.systemId);
      const ambiguous = sim.calls.filter((c) => c.systemId === KYSO_SYSTEM.systemId && c.call.startsWith('send') && (c.outcome === 'drop' || c.outcome === 'truncate')).length;
      expect(kysoSends.length - (N_OUT + N_IN * 2)).toBeLessThanOrEqual(ambiguous + kills);
      const t = sim.tally();
      process.stdout.write(`[axis crash ${db}] kills ${kills}; axis calls ${sim.calls.length}: ${JSON.stringify(t)}; duplicates absorbed at X ${x.duplicates}, at the server ${(await axis.inboundAll()).filter((r) => r.state === 'duplicate').length}; transmissions by Kyso ${kysoSends.length} for ${N_OUT + N_IN * 2} relays\n`);
      expect(t.fail + t.drop + t.truncate).toBeGreaterThan(sim.calls.length * 0.15);
    } finally {
      await repo.db.close();
    }
  }, 300_000);
});
