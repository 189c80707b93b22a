/**
 * The gateway to the national axis: relay throughput (documents/s) and the latency it adds,
 * beside direct Kyso-to-Kyso delivery on the same server in the same run. The server is a
 * separate process (SQLite, gateway polling every 100 ms); the axis simulator runs here.
 * - direct: A uploads N signed packages to B (4 concurrent uploads); latency = upload start
 *   to B's live event.
 * - out via the gateway: A uploads N packages to X behind the axis; latency = upload start
 *   to the axis holding the package (queue, HMAC-signed sendEdoc).
 * - in via the gateway: N packages wait on the axis for A; latency = until A's live event
 *   (poll, getEdoc, verify, deliver, 01 queued back). KYSO_BENCH_AXIS_DOCS sets N (200).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addOrg, addUser } from '../server/admin.js';
import { addAxisLink } from '../server/axis/admin.js';
import { openRepo } from '../server/store.js';
import { AxisSimulator } from '../test/bed/axis-sim/index.js';
import { fieldKeys, fieldPackage } from '../test/bed/axis-sim/field-edxml.js';
import { createTestBed } from '../test/bed/index.js';
import { events, ok, sendPackage, token } from '../test/integration/exchange-server/api.js';
import { issueUser, makePackage, signerOf } from '../test/integration/exchange-server/fixtures.js';

const A = { code: '000.00.00.H99', name: 'UBND tỉnh Thử Nghiệm' };
const B = { code: '000.01.00.H99', name: 'Sở Tài chính' };
const X = { code: '000.00.00.H41', name: 'Văn phòng UBND tỉnh Nghệ An' };

function stats(latMs: number[], n: number, secs: number): string {
  const s = [...latMs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(0);
  return `${n} docs in ${secs.toFixed(2)} s = ${(n / secs).toFixed(1)} docs/s; latency median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`;
}

/** Runs the axis benchmark and prints its results. */
export async function benchAxis(): Promise<void> {
  const n = Number(process.env.KYSO_BENCH_AXIS_DOCS ?? 200);
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-axis-'));
  const bed = await createTestBed();
  const sim = await AxisSimulator.start({
    systems: [{ systemId: 'kyso.h99', secret: 'bench-secret', agencies: [A, B] }, { systemId: 'vxp.saas.41', secret: 'x', agencies: [X] }],
  });
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const [ua, ub] = await Promise.all([issueUser(bed, 'axisA', 'Văn thư A'), issueUser(bed, 'axisB', 'Văn thư B')]);
    const signerA = signerOf(bed, ua);
    const data = path.join(work, 'data');
    const repo = await openRepo(data);
    await addOrg(repo, A);
    await addOrg(repo, { ...B, parent: A.code });
    await addUser(repo, A.code, ua.certPath);
    await addUser(repo, B.code, ub.certPath);
    await addAxisLink(repo, data, { kind: 'vxp', endpoint: sim.vxpUrl, systemId: 'kyso.h99', secret: { env: 'KYSO_BENCH_AXIS_SECRET' } });
    await repo.db.close();
    const cfg = path.join(work, 'server.json');
    writeFileSync(cfg, JSON.stringify({ dataDir: data, port: 0, trustFiles: [bed.certs.root.certPath] }));
    const script = path.join(import.meta.dirname, '..', 'test', 'integration', 'axis', 'server-process.ts');
    child = spawn(process.execPath, [...(process.env.KYSO_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.KYSO_BENCH_PROF] : []), '--import', 'tsx', script, cfg], { env: { ...process.env, KYSO_BENCH_AXIS_SECRET: 'bench-secret' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const url = (JSON.parse(line.toString()) as { url: string }).url;
    const tokA = await token(url, signerA);
    const tokB = await token(url, signerOf(bed, ub));
    // The gateway needs the axis directory before it routes to X.
    for (let i = 0; i < 200 && !sim.calls.some((c) => c.call === 'getAgenciesList' && c.outcome === 'ok'); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));

    const body = (i: number) => Buffer.alloc(20_000, i & 0xff);
    const direct: { file: string }[] = [];
    const out: { file: string; documentId: string }[] = [];
    for (let i = 0; i < n; i++) direct.push(await makePackage(work, signerA, A, [B], { body: body(i) }));
    for (let i = 0; i < n; i++) out.push(await makePackage(work, signerA, A, [X], { body: body(i) }));
    const keys = fieldKeys(path.join(work, 'x'), 'Nghệ An');
    const incoming: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      incoming.push((await fieldPackage({
        header: {
          from: { organId: X.code, organName: X.name }, to: [{ organId: A.code, organName: A.name }], code: { codeNumber: String(i + 1), codeNotation: 'VP-TH' },
          promulgationInfo: { place: 'Nghệ An', promulgationDate: '2026/12/01' }, documentType: { type: 1, typeDetail: 3, typeName: 'Công văn' }, subject: `Công văn ${i + 1}`,
          signerInfo: { position: 'Chánh Văn phòng', fullName: 'Trần Thị Bình' },
        },
        attachments: [{ meta: { contentId: 'vb', attachmentName: 'vb.pdf' }, data: body(i) }],
      }, 'none', keys, path.join(work, 'x'))).bytes);
    }
    mkdirSync(path.join(work, 'x'), { recursive: true });
    console.log(`packages ≈${Math.round(statSync(direct[0]!.file).size / 1024)} KB each; server: separate process, SQLite; gateway polls every 100 ms`);

    // Uploads by 4 concurrent senders; `sent` records when each upload started.
    const upload = async (files: string[], started: Map<string, number>, ids: string[]) => {
      let next = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (next < files.length) {
          const i = next++;
          started.set(ids[i]!, performance.now());
          ok(await sendPackage(url, tokA, ids[i]!, { file: files[i]! }));
        }
      }));
    };

    // Direct: B's live events say when each document reached B.
    const evB = await events(url, tokB);
    const startedD = new Map<string, number>();
    const idsD = direct.map(() => randomUUID());
    const t0 = performance.now();
    const arrived = new Map<string, number>();
    const listening = (async () => {
      while (arrived.size < n) {
        const ev = await evB.next();
        if (ev.type === 'inbox') arrived.set(ev.item.messageId, performance.now());
      }
    })();
    await upload(direct.map((d) => d.file), startedD, idsD);
    await listening;
    evB.close();
    const tD = (Math.max(...arrived.values()) - t0) / 1000;
    console.log(`direct Kyso to Kyso:     ${stats(idsD.map((id) => arrived.get(id)! - startedD.get(id)!), n, tD)}`);

    // Out via the gateway: the simulator notes when each package reached the axis.
    const startedO = new Map<string, number>();
    const idsO = out.map(() => randomUUID());
    const byDoc = new Map(out.map((o, i) => [o.documentId, idsO[i]!]));
    const atAxis = new Map<string, number>();
    const before = sim.state.docs.length;
    const watch = setInterval(() => {
      for (const d of sim.state.docs.slice(before)) if (d.kind === 'edoc' && d.documentId && !atAxis.has(d.documentId)) atAxis.set(d.documentId, performance.now());
    }, 2);
    const t1 = performance.now();
    await upload(out.map((o) => o.file), startedO, idsO);
    while (atAxis.size < n) await new Promise((r) => setTimeout(r, 5));
    clearInterval(watch);
    const tO = (Math.max(...atAxis.values()) - t1) / 1000;
    console.log(`out via the gateway:     ${stats([...atAxis].map(([doc, at]) => at - startedO.get(byDoc.get(doc)!)!), n, tO)}`);

    // In via the gateway: everything waits on the axis at t2; A's live events say when it was delivered.
    const evA = await events(url, tokA);
    const t2 = performance.now();
    for (const b of incoming) sim.state.inject('kyso.h99', 'edoc', X.code, [A.code], b);
    const got: number[] = [];
    while (got.length < n) {
      const ev = await evA.next();
      if (ev.type === 'inbox') got.push(performance.now() - t2);
    }
    evA.close();
    console.log(`in via the gateway:      ${stats(got, n, Math.max(...got) / 1000)} (a batch of ${n} waiting at once; includes up to 100 ms of polling)`);
    const t = sim.tally();
    console.log(`axis calls: ${sim.calls.length} (${t.ok} ok, ${t.badSignature} refused signatures)`);
  } finally {
    child?.kill('SIGTERM');
    if (child) await once(child, 'exit').catch(() => undefined);
    await sim.close();
    await bed.close();
    rmSync(work, { recursive: true, force: true });
  }
}
