/**
 * `npm run bench server-scale` (issue 17): thousands of connected event streams on real
 * `kyso server` processes sharing one PostgreSQL, with a sustained send rate, once over two
 * instances and once over one, in the same run. Prints deliveries per second, p50/p99 latency
 * from the start of an upload to its event at a listening stream, whether every stream got
 * every event meant for it, and each instance's RSS. Loopback only; bounded in time.
 *
 * Load: ORGS bodies (one user each, STREAMS sessions spread over them, each with its stream,
 * spread over the instances); packages pre-signed before the clock starts, each to RECIPIENTS
 * bodies, sent at RATE deliveries/s for SECONDS, round-robin over the instances. The load
 * generator runs in this process on the same 2 cores as the servers and PostgreSQL.
 * Environment: KYSO_BENCH_SCALE_STREAMS (2650), _ORGS (250), _RATE (50), _SECONDS (30),
 * _RECIPIENTS (5); KYSO_TEST_PG_URL, else scripts/pg-test.sh starts a private PostgreSQL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { endpoints } from '../main/exchange/protocol.js';
import type { Signer } from '../main/pki/signer.js';
import { addOrg, addUser } from '../server/admin.js';
import { openRepo } from '../server/store.js';
import { createTestBed, type BedCert } from '../test/bed/index.js';
import { sendPackage, token } from '../test/integration/exchange-server/api.js';
import { issueUser, makePackage, signerOf } from '../test/integration/exchange-server/fixtures.js';

const env = (k: string, d: number) => Number(process.env[`KYSO_BENCH_SCALE_${k}`] ?? d);
const STREAMS = env('STREAMS', 2650);
const ORG_COUNT = env('ORGS', 250);
const RATE = env('RATE', 50);
const SECONDS = env('SECONDS', 30);
const RECIPIENTS = env('RECIPIENTS', 5);
const BIN = path.join(import.meta.dirname, '..', 'bin', 'kyso.js');

interface Org {
  code: string;
  name: string;
  signer: Signer;
  cert: BedCert;
}

interface Instance {
  url: string;
  child: ChildProcess;
  peakRss: number;
}

/** The PostgreSQL to run on: the test one from the environment, else a private one. */
function postgresUrl(): string {
  if (process.env.KYSO_TEST_PG_URL) return process.env.KYSO_TEST_PG_URL;
  const r = spawnSync('bash', [path.join(import.meta.dirname, '..', 'scripts', 'pg-test.sh'), 'start'], { encoding: 'utf8' });
  const m = /KYSO_TEST_PG_URL=(\S+)/.exec(r.stdout);
  if (!m) throw new Error(`PostgreSQL did not start: ${r.stderr}`);
  return m[1]!;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const hwmMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Starts `kyso server` with a raised descriptor limit and no per-address cap (all clients are 127.0.0.1). */
async function startInstance(dataDir: string, db: string, trust: string, log: string): Promise<Instance> {
  const cmd = `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  const child = spawn('bash', ['-c', cmd, process.execPath, BIN, 'server', '--data', dataDir, '--db', db, '--port', '0', '--json', '--trust', trust, '--sweep-interval', '0', '--connections-per-address', '0'], {
    env: { ...process.env, KYSO_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', openSync(log, 'a')],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: (JSON.parse(String(line)) as { url: string }).url, child, peakRss: 0 };
}

/** One listening stream: the message ids of the inbox events it got, and when. */
interface Listener {
  org: string;
  got: Map<string, number>;
  duplicates: number;
  req: ClientRequest;
}

function listen(url: string, tok: string, org: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const l: Listener = { org, got: new Map(), duplicates: 0, req: undefined as never };
    l.req = request(new URL(endpoints.events, url), { headers: { authorization: `Bearer ${tok}` }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream: HTTP ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!frame.startsWith('event: inbox')) continue;
          const id = /"messageId":"([^"]+)"/.exec(frame)?.[1];
          if (!id) continue;
          if (l.got.has(id)) l.duplicates++;
          else l.got.set(id, performance.now());
        }
      });
      res.on('error', () => undefined);
      resolve(l);
    });
    l.req.on('error', reject);
    l.req.end();
  });
}

/** Runs `fn` over items with at most `n` at a time. */
async function pool<T, R>(items: T[], n: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }));
  return out;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** One configuration: `n` instances, everything else the same. */
async function runConfig(n: number, ctx: { work: string; db: string; trust: string; orgs: Org[]; packages: { file: string; from: Org; to: Org[] }[] }): Promise<Record<string, string | number>> {
  const schema = `kyso_bench_${n}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const dirs = Array.from({ length: n }, (_v, i) => {
    const d = path.join(ctx.work, `${schema}-${i}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'server.json'), JSON.stringify({ db: ctx.db, pgSchema: schema }));
    return d;
  });
  const repo = await openRepo(dirs[0]!, { db: ctx.db, pgSchema: schema });
  for (const o of ctx.orgs) await addOrg(repo, { code: o.code, name: o.name, parent: null });
  for (const o of ctx.orgs) await addUser(repo, o.code, o.cert.certPath);
  await repo.db.close();
  const instances: Instance[] = [];
  const listeners: Listener[] = [];
  const sampler = setInterval(() => {
    for (const i of instances) if (i.child.pid) i.peakRss = Math.max(i.peakRss, rssMb(i.child.pid));
  }, 250);
  try {
    for (const d of dirs) instances.push(await startInstance(d, ctx.db, ctx.trust, path.join(ctx.work, `${schema}.log`)));
    // Sessions: one login per stream (several devices of each body's user), through the instances in turn.
    const t0 = performance.now();
    const sessions = await pool(Array.from({ length: STREAMS }, (_v, i) => i), 16, async (i) => {
      const org = ctx.orgs[i % ctx.orgs.length]!;
      return { org, tok: await token(instances[i % n]!.url, org.signer) };
    });
    const loginS = (performance.now() - t0) / 1000;
    listeners.push(...(await pool(sessions, 64, (s, i) => listen(instances[i % n]!.url, s.tok, s.org.code))));
    await new Promise((r) => setTimeout(r, 1_000));
    const idleRss = instances.map((i) => Math.round(rssMb(i.child.pid!)));

    // The sustained phase: one package every RECIPIENTS/RATE seconds, to the instances in turn.
    const started = new Map<string, number>();
    const expected = new Map<string, Set<string>>();
    const tokens = new Map<string, string>();
    for (const o of ctx.orgs) tokens.set(o.code, sessions.find((s) => s.org.code === o.code)!.tok);
    const every = (1000 * RECIPIENTS) / RATE;
    const count = Math.max(1, Math.round((SECONDS * RATE) / RECIPIENTS));
    let failed = 0;
    let delivered = 0;
    const sends: Promise<void>[] = [];
    const begin = performance.now();
    for (let k = 0; k < count; k++) {
      const due = begin + k * every;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = ctx.packages[k % ctx.packages.length]!;
      const id = randomUUID();
      started.set(id, performance.now());
      for (const t of p.to) {
        if (!expected.has(t.code)) expected.set(t.code, new Set());
        expected.get(t.code)!.add(id);
      }
      sends.push(sendPackage(instances[k % n]!.url, tokens.get(p.from.code)!, id, { file: p.file }).then((r) => {
        if (r.status === 201) delivered += p.to.length;
        else failed++;
      }, () => void failed++));
    }
    await Promise.all(sends);
    const sendS = (performance.now() - begin) / 1000;
    // Wait for the events still on their way (bounded).
    const complete = () => listeners.every((l) => [...(expected.get(l.org) ?? [])].every((id) => l.got.has(id)));
    const deadline = performance.now() + 15_000;
    while (!complete() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    let missing = 0;
    let duplicates = 0;
    let events = 0;
    const lat: number[] = [];
    for (const l of listeners) {
      duplicates += l.duplicates;
      for (const id of expected.get(l.org) ?? []) {
        const at = l.got.get(id);
        if (at === undefined) missing++;
        else {
          events++;
          lat.push(at - started.get(id)!);
        }
      }
    }
    const open = listeners.filter((l) => !l.req.destroyed).length;
    return {
      instances: n,
      streams: listeners.length,
      'streams open at end': open,
      'login/s': Math.round(STREAMS / loginS),
      packages: count,
      'failed uploads': failed,
      'deliveries/s': Math.round((delivered / sendS) * 10) / 10,
      'events at streams': events,
      'missing events': missing,
      'duplicate events': duplicates,
      'p50 upload→event ms': Math.round(pct(lat, 50)),
      'p99 upload→event ms': Math.round(pct(lat, 99)),
      'max upload→event ms': Math.round(Math.max(...lat)),
      'RSS idle MB (per instance)': idleRss.join(' / '),
      'RSS peak MB (per instance)': instances.map((i) => Math.round(Math.max(i.peakRss, hwmMb(i.child.pid!)))).join(' / '),
    };
  } finally {
    clearInterval(sampler);
    for (const l of listeners) l.req.destroy();
    for (const i of instances) {
      i.child.kill('SIGTERM');
      if (i.child.exitCode === null) await once(i.child, 'exit');
    }
    const c = new pg.Client({ connectionString: ctx.db });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

/** Runs both configurations and prints them side by side. */
export async function benchServerScale(): Promise<void> {
  const limit = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 0);
  if (limit && limit < STREAMS + 1_000) console.log(`warning: this process may open ${limit} files; ${STREAMS} streams need more (raise ulimit -n)`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-scale-'));
  const bed = await createTestBed();
  try {
    const db = postgresUrl();
    const t0 = performance.now();
    const orgs: Org[] = await pool(Array.from({ length: ORG_COUNT }, (_v, i) => i), 4, async (i) => {
      const code = `000.${String(Math.floor(i / 100)).padStart(2, '0')}.${String(i % 100).padStart(2, '0')}.H49`;
      const cert = await issueUser(bed, `scale-${i}`, `Văn thư cơ quan ${i}`);
      return { code, name: `Cơ quan thử nghiệm ${i}`, cert, signer: signerOf(bed, cert) };
    });
    const count = Math.max(1, Math.round((SECONDS * RATE) / RECIPIENTS));
    const pkgDir = path.join(work, 'packages');
    mkdirSync(pkgDir);
    const packages = await pool(Array.from({ length: count }, (_v, i) => i), 2, async (i) => {
      const from = orgs[i % orgs.length]!;
      const to: Org[] = [];
      for (let k = 1; to.length < RECIPIENTS; k++) to.push(orgs[(i * 7 + k * 13) % orgs.length]!);
      const uniq = [...new Set(to.filter((o) => o !== from))];
      return { file: (await makePackage(pkgDir, from.signer, from, uniq)).file, from, to: uniq };
    });
    console.log(`setup: ${ORG_COUNT} bodies, ${count} signed packages in ${Math.round((performance.now() - t0) / 1000)} s; ${STREAMS} streams, ${RATE} deliveries/s for ${SECONDS} s (${RECIPIENTS} recipients each), PostgreSQL, local blobs, ${os.cpus().length} cores`);
    const ctx = { work, db, trust: bed.certs.root.certPath, orgs, packages };
    const rows = [await runConfig(2, ctx), await runConfig(1, ctx)];
    const keys = Object.keys(rows[0]!);
    const w = Math.max(...keys.map((k) => k.length));
    console.log(`${''.padEnd(w)}  ${'two instances'.padStart(16)}  ${'one instance'.padStart(16)}`);
    for (const k of keys) console.log(`${k.padEnd(w)}  ${String(rows[0]![k]).padStart(16)}  ${String(rows[1]![k]).padStart(16)}`);
    const ok = rows.every((r) => r['missing events'] === 0 && r['duplicate events'] === 0 && r['failed uploads'] === 0);
    console.log(ok ? 'every stream received every event meant for it, once' : 'SOME EVENTS WERE MISSED OR DUPLICATED (see above)');
  } finally {
    await bed.close();
    // KYSO_BENCH_SCALE_KEEP=1 keeps the instances' JSON logs for a look.
    if (process.env.KYSO_BENCH_SCALE_KEEP === '1') console.log(`kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

