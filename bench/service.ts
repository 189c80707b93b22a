/**
 * The local signing service, side by side with the floor in one run: request-to-upload-complete
 * for 1 MB and 100 MB PDFs through `kyso service --unattended` (the shipped CLI bundle, a
 * SoftHSM2 token, a loopback document system), against the floor = `openssl dgst -sha256` of
 * the file + one `pkcs11-tool --sign` + copying the file twice over loopback (curl downloads
 * it from the document system and uploads it back as multipart). Target: within 1.5x of the
 * floor. Also the service process's peak RSS (VmHWM) after the 100 MB request (target under
 * 150 MB), and, in a fresh process, the VNPT-CA SignPDF path, which carries the document in
 * the message as base64 and so must hold it in memory.
 * Run: `npm run bench service` or `npx tsx bench/service.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { buildCli } from '../scripts/build-cli.mjs';
import { createTestBed } from '../test/bed/index.js';
import { DOCSYS_SESSION, startDocSys, type DocSys } from '../test/bed/docsys.js';
import { scanLikePdf } from './scan-pdf.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

/**
 * Wall time of a command in ms (it must succeed). Asynchronous: curl talks to the document
 * system, which runs in this process and must keep answering.
 */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(ms(t0)) : reject(new Error(`${cmd} failed (${code}): ${err.slice(-300)}`))));
  });
}

/** Peak resident set (VmHWM) of a process, MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Starts `kyso service --unattended` (the CLI bundle) and waits until it listens. */
async function startService(home: string, bed: Awaited<ReturnType<typeof createTestBed>>, origin: string, ports: { vgca: number; vnpt?: number }): Promise<ChildProcess> {
  const args = [path.join(root, 'bin', 'kyso.js'), 'service', '--unattended', '--allow-origin', origin, '--pin-env', 'KYSO_BENCH_PIN', '--module', bed.module,
    '--token', bed.tokens.official.label, '--cert', bed.certs.official.serial, '--port', String(ports.vgca), ...(ports.vnpt ? ['--vnpt-port', String(ports.vnpt)] : ['--no-vnpt']),
    '--audit-log', path.join(home, 'audit.jsonl')];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...bed.env, KYSO_FROM_SOURCE: '', KYSO_HOME: home, KYSO_BENCH_PIN: bed.tokens.official.pin }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), /wss:\/\/127/.test(out) && resolve()));
    child.once('exit', () => reject(new Error(out)));
  });
  return child;
}

/** One request: the time until the reply (sent once the upload is complete). */
function request(url: string, message: string, caFile: string, origin: string): Promise<{ ms: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const ws = new WebSocket(url, { ca: readFileSync(caFile), origin, maxPayload: 1 << 30 });
    ws.on('open', () => ws.send(message));
    ws.on('message', (d) => {
      resolve({ ms: ms(t0), reply: d.toString() });
      ws.close();
    });
    ws.on('error', reject);
  });
}

/** Runs the benchmark; prints a table. */
export async function benchService(opts: { sizesMb?: number[]; rounds?: number } = {}): Promise<void> {
  const sizes = opts.sizesMb ?? [1, 100];
  await buildCli();
  const bed = await createTestBed();
  const dir = path.join(bed.dir, 'bench-service');
  mkdirSync(dir);
  const docs: DocSys = await startDocSys(path.join(dir, 'docsys'));
  const home = path.join(dir, 'home');
  const rows: Array<{ size: string; what: string; ms: number; note?: string }> = [];
  let service: ChildProcess | undefined;
  try {
    const ports = { vgca: await freePort() };
    service = await startService(home, bed, docs.origin, ports);
    const caFile = path.join(home, 'local-service', 'local-ca.pem');
    const session = { SessionId: DOCSYS_SESSION.sessionId, JWTToken: DOCSYS_SESSION.jwt };
    const keyId = bed.certs.official.token!.id;
    const cookie = `${DOCSYS_SESSION.cookie}=${DOCSYS_SESSION.sessionId}`;
    // Warm-up: the token bridge starts and the chain is fetched once per run, not per request.
    const warm = path.join(dir, 'warm.pdf');
    writeFileSync(warm, scanLikePdf(256 << 10));
    const w = await request(`wss://127.0.0.1:${ports.vgca}/SignApproved`, JSON.stringify({ FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: docs.addFile('warm.pdf', warm) }), caFile, docs.origin);
    if (JSON.parse(w.reply).Status !== 0) throw new Error(w.reply);
    for (const mb of sizes) {
      const size = `${mb} MB`;
      const input = path.join(dir, `in-${mb}.pdf`);
      writeFileSync(input, scanLikePdf(mb * 1024 * 1024));
      const url = docs.addFile(`in-${mb}.pdf`, input);
      const rounds = opts.rounds ?? (mb >= 50 ? 3 : 7);
      const floor: number[] = [];
      const kyso: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const dgst = await timed('openssl', ['dgst', '-sha256', '-binary', '-out', path.join(dir, 'digest.bin'), input]);
        const p11 = await timed('pkcs11-tool', ['--module', bed.module, '--token-label', bed.tokens.official.label, '--login', '--pin', bed.tokens.official.pin, '--sign', '--id', keyId, '--mechanism', 'SHA256-RSA-PKCS', '--input-file', path.join(dir, 'digest.bin'), '--output-file', path.join(dir, 'sig.bin')], bed.env);
        const down = await timed('curl', ['-sf', '-o', path.join(dir, 'copy.pdf'), '-H', `Cookie: ${cookie}`, '-H', `Authorization: Bearer ${DOCSYS_SESSION.jwt}`, url]);
        const up = await timed('curl', ['-sf', '-o', '/dev/null', '-H', `Cookie: ${cookie}`, '-H', `Authorization: Bearer ${DOCSYS_SESSION.jwt}`, '-F', `uploadfile=@${input};type=application/pdf`, `${docs.origin}/upload`]);
        floor.push(dgst + p11 + down + up);
        const r = await request(`wss://127.0.0.1:${ports.vgca}/SignApproved`, JSON.stringify({ FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: url }), caFile, docs.origin);
        const reply = JSON.parse(r.reply) as { Status: number; Message: string };
        if (reply.Status !== 0) throw new Error(reply.Message);
        kyso.push(r.ms);
      }
      const f = median(floor);
      const k = median(kyso);
      rows.push({ size, what: 'floor (dgst + pkcs11-tool + 2 loopback copies)', ms: f });
      rows.push({ size, what: 'kyso service: request -> upload complete', ms: k, note: `${(k / f).toFixed(2)}x floor (target 1.5x), ${rounds} rounds` });
      if (mb === Math.max(...sizes)) rows.push({ size, what: 'service peak RSS (VmHWM, MB)', ms: peakRssMb(service.pid!), note: 'target < 150 MB' });
    }
    service.kill('SIGTERM');
    await new Promise((r) => service!.once('exit', r));
    service = undefined;
    // VNPT-CA SignPDF: the document travels in the message as base64.
    const vnpt = { vgca: await freePort(), vnpt: await freePort() };
    service = await startService(home, bed, docs.origin, vnpt);
    for (const mb of [Math.max(...sizes)]) {
      const b64 = readFileSync(path.join(dir, `in-${mb}.pdf`)).toString('base64');
      const msg = JSON.stringify({ functionID: 2, funcCallback: 'cb', args: [b64, JSON.stringify({ page: 1, llx: 40, lly: 40, urx: 200, ury: 100 })], domain: 'bench' });
      const r = await request(`wss://localhost:${vnpt.vnpt}/plugin`, msg, caFile, docs.origin);
      const res = JSON.parse(r.reply.slice(0, r.reply.lastIndexOf('*'))) as { code: number; error: string };
      if (res.code !== 0) throw new Error(res.error);
      rows.push({ size: `${mb} MB`, what: 'VNPT-CA SignPDF (base64 in and out)', ms: r.ms });
      rows.push({ size: `${mb} MB`, what: 'VNPT-CA path peak RSS (VmHWM, MB)', ms: peakRssMb(service.pid!), note: 'holds the message, the decoded file and the signed base64' });
    }
  } finally {
    service?.kill('SIGTERM');
    await docs.close();
    await bed.close();
  }
  console.log(`load average at start of print: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  console.log(`${'size'.padEnd(8)}${'what'.padEnd(50)}${'value'.padStart(10)}  note`);
  for (const r of rows) console.log(`${r.size.padEnd(8)}${r.what.padEnd(50)}${r.ms.toFixed(r.what.includes('RSS') ? 1 : 0).padStart(10)}  ${r.note ?? ''}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchService();
}
