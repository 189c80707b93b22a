/**
 * docs/deploy.md's reverse-proxy configuration, run: the ```nginx block of its "Reverse proxy
 * (nginx)" section is read from the doc and given to a real nginx, in front of two real
 * `kyso server` processes (HTTPS, `--trusted-proxy`) on one PostgreSQL schema. Only addresses,
 * ports, file paths are rewritten (each rewrite must match the doc exactly once, so the doc
 * cannot drift away from what is tested), plus one visible line: `proxy_bind 127.0.0.2`, the
 * proxy's own address as the instances see it (the doc's 10.0.0.2) — on one host every
 * connection would otherwise come from 127.0.0.1, the client's too, and the forwarded address
 * could not be told from the proxy's. TLS on both legs with an OpenSSL-made PKI: clients trust
 * nginx's certificate (NODE_EXTRA_CA_CERTS), nginx checks the instances' (proxy_ssl_verify,
 * name inbox.internal). The clients are the real `kyso` CLI as processes. Checked through nginx:
 * body B's `kyso inbox sync --watch` hears A's `kyso send` live (SSE not buffered); the
 * instances log the caller's address from X-Forwarded-For and nginx's request id (the same id
 * in nginx's access log); with the instance holding B's stream SIGKILLed, requests still
 * succeed and B hears the next arrival; /metrics is answered by nginx itself (404), never an
 * instance. The two instances share one data directory for their local blobs (one host; S3
 * across hosts is scale-failover.test.ts's subject).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../../../main/exchange/protocol.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { kyso } from '../exchange-client/cli-io.js';
import { issueUser, ORGS } from './fixtures.js';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'kyso.js');
const PG = process.env.KYSO_TEST_PG_URL;
const CI = process.env.CI === 'true';
if (!PG && CI) throw new Error('KYSO_TEST_PG_URL is not set in CI (scripts/pg-test.sh).');
const noNginx = spawnSync('nginx', ['-v']).error !== undefined;
if (noNginx && CI) throw new Error('nginx is not installed in CI (scripts/lib.sh ensure_apt: nginx-light).');
if (noNginx) console.warn('\n*** nginx-proxy: nginx is not installed (apt-get install nginx-light) ***\n');
const skip = !PG || noNginx;

/** The proxy's address as the instances see it (docs/deploy.md: 10.0.0.2). */
const PROXY_ADDR = '127.0.0.2';

const schema = `kyso_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
let bed: TestBed;
let work: string;
let data: string;
const tls = {} as Record<'ca' | 'proxyCert' | 'proxyKey' | 'instCa' | 'instCert' | 'instKey', string>;
const children: ChildProcess[] = [];
let nginx: ChildProcess | undefined;
const users = {} as Record<'A' | 'B', { key: string; cert: string }>;

/** A CA and a server certificate signed by it, made by the openssl command. */
function opensslPki(dir: string, name: string, san: string): { ca: string; cert: string; key: string } {
  const f = (s: string) => path.join(dir, `${name}-${s}`);
  const ossl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=Kyso test ${name} CA`, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', f('key.pem'), '-out', f('req.pem'));
  writeFileSync(f('ext.cnf'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
  ossl('x509', '-req', '-in', f('req.pem'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('cert.pem'));
  return { ca: f('ca.pem'), cert: f('cert.pem'), key: f('key.pem') };
}

/** docs/deploy.md's nginx block for this host: each rewrite must match exactly once. */
function docConfig(ports: { listen: number; instances: number[] }, accessLog: string): string {
  const doc = readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Reverse proxy (nginx)'));
  const block = /```nginx\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/deploy.md: no ```nginx block under "Reverse proxy (nginx)"');
  const rewrites: [string, string][] = [
    ['server 10.0.1.5:8787 ', `server 127.0.0.1:${ports.instances[0]} `],
    ['server 10.0.1.6:8787 ', `server 127.0.0.1:${ports.instances[1]} `],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${ports.listen} ssl http2;`],
    ['/etc/nginx/tls/inbox.pem;', `${tls.proxyCert};`],
    ['/etc/nginx/tls/inbox.key;', `${tls.proxyKey};`],
    ['/etc/nginx/tls/kyso-instances-ca.pem;', `${tls.instCa};`],
    ['/var/log/nginx/kyso-inbox.log ', `${accessLog} `],
    ['proxy_set_header X-Forwarded-Proto $scheme;\n', `proxy_set_header X-Forwarded-Proto $scheme;\n    proxy_bind ${PROXY_ADDR}; # test only: the proxy's own address\n`],
  ];
  let conf = block;
  for (const [from, to] of rewrites) {
    expect(conf.split(from).length - 1, `docs/deploy.md's nginx block has "${from.trim()}" once`).toBe(1);
    conf = conf.replace(from, () => to);
  }
  return conf;
}

/** A free loopback port (nginx takes its port from its file, not from the kernel). */
async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

interface Instance { port: number; metrics: string; child: ChildProcess; log: () => string }

/** Starts `kyso server` over HTTPS behind the trusted proxy; resolves once it listens. */
async function instance(): Promise<Instance> {
  const child = spawn(process.execPath, [BIN, '--lang', 'en', 'server', '--data', data, '--db', PG!, '--host', '127.0.0.1', '--port', '0', '--tls-cert', tls.instCert, '--tls-key', tls.instKey, '--trusted-proxy', PROXY_ADDR, '--metrics', '127.0.0.1:0', '--json', '--trust', bed.certs.root.certPath, '--sweep-interval', '0'], {
    env: { ...process.env, KYSO_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const [line] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => [Buffer.from('{}')])])) as [Buffer];
  const { port, metrics } = JSON.parse(String(line)) as { port: number; metrics: string };
  expect(metrics, log).toBeDefined();
  return { port, metrics, child, log: () => log };
}

/** The request lines an instance logged (JSON, one per line). */
const requestLines = (i: Instance) =>
  i.log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request' || l.msg === 'event stream');

/** The `kyso` CLI as a process, trusting nginx's CA, with the organization's own home. */
function cli(who: 'A' | 'B', args: string[]): { child: ChildProcess; out: () => string; done: Promise<{ code: number; out: string; err: string }> } {
  const u = users[who];
  const child = spawn(process.execPath, [BIN, '--lang', 'en', ...args, '--key-file', u.key, '--cert-file', u.cert, '--trust', bed.certs.root.certPath, '--json'], {
    env: { ...process.env, KYSO_FROM_SOURCE: '1', KYSO_HOME: path.join(work, `home-${who}`), NODE_EXTRA_CA_CERTS: tls.ca }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = once(child, 'exit').then(([code]) => ({ code: code as number, out, err }));
  return { child, out: () => out, done };
}

/** One HTTPS GET through nginx (trusting its CA only). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const r = httpsRequest(url, { ca: readFileSync(tls.ca), headers, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    r.on('timeout', () => r.destroy(new Error(`no answer from ${url}`)));
    r.on('error', reject).end();
  });
}

/** Event streams open on an instance, from its metrics listener. */
async function streamsOpen(i: Instance): Promise<number> {
  const text = await (await fetch(`${i.metrics}/metrics`)).text();
  return Number(/^kyso_event_streams_open (\d+)$/m.exec(text)?.[1] ?? NaN);
}

beforeAll(async () => {
  if (skip) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-nginx-'));
  data = path.join(work, 'data');
  mkdirSync(data);
  writeFileSync(path.join(data, 'server.json'), JSON.stringify({ db: PG, pgSchema: schema }));
  const front = opensslPki(work, 'proxy', 'IP:127.0.0.1,DNS:localhost');
  const back = opensslPki(work, 'instances', 'DNS:inbox.internal');
  Object.assign(tls, { ca: front.ca, proxyCert: front.cert, proxyKey: front.key, instCa: back.ca, instCert: back.cert, instKey: back.key });
  bed = await createTestBed();
  for (const o of [ORGS.A, ORGS.B]) expect((await kyso(['server', 'org', 'add', '--data', data, '--code', o.code, '--name', o.name], {})).code).toBe(0);
  for (const [who, org] of [['A', ORGS.A], ['B', ORGS.B]] as const) {
    const c = await issueUser(bed, `nginx-${who}`, `Văn thư ${org.name}`);
    const bundle = path.join(work, `${who}.pem`);
    writeFileSync(bundle, readFileSync(c.certPath, 'utf8') + readFileSync(bed.certs.issuing.certPath, 'utf8'));
    users[who] = { key: c.keyPath!, cert: bundle };
    expect((await kyso(['server', 'user', 'add', '--data', data, '--org', org.code, '--cert', c.certPath, '--trust', bed.certs.root.certPath], {})).code).toBe(0);
  }
}, 120_000);

/** Ends a child; nginx by SIGTERM (a SIGKILLed master would leave its workers running). */
async function stop(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = once(c, 'exit');
  c.kill(signal);
  const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

afterAll(async () => {
  if (nginx) await stop(nginx, 'SIGTERM');
  for (const c of children) await stop(c, 'SIGKILL');
  await bed?.close();
  if (PG) {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip)("docs/deploy.md's nginx in front of two kyso server instances", () => {
  it('carries login, upload and live events, forwards address and request id, fails over, hides /metrics', { timeout: 120_000 }, async () => {
    const [one, two] = await Promise.all([instance(), instance()]);
    const listen = await freePort();
    // nginx runs as root here; its workers (user nobody) write request bodies under tmp/.
    const ngx = path.join(work, 'nginx');
    for (const d of ['tmp', 'logs']) mkdirSync(path.join(ngx, d), { recursive: true });
    chmodSync(work, 0o755);
    chmodSync(ngx, 0o755);
    chmodSync(path.join(ngx, 'tmp'), 0o777);
    const accessLog = path.join(ngx, 'logs', 'kyso-inbox.log');
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${ngx}/tmp/${t};`).join('\n');
    writeFileSync(path.join(ngx, 'nginx.conf'), [
      'daemon off;', 'worker_processes 1;', `pid ${ngx}/nginx.pid;`, `error_log ${ngx}/logs/error.log info;`,
      'events { worker_connections 256; }',
      'http {', temp, `  access_log ${ngx}/logs/access.log;`, docConfig({ listen, instances: [one.port, two.port] }, accessLog), '}', '',
    ].join('\n'));
    const nginxArgs = ['-p', ngx, '-c', path.join(ngx, 'nginx.conf'), '-e', path.join(ngx, 'logs', 'error.log')];
    const check = spawnSync('nginx', ['-t', ...nginxArgs], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    nginx = spawn('nginx', nginxArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let nginxErr = '';
    nginx.stderr!.on('data', (c: Buffer) => (nginxErr += c.toString()));
    const NGX = `https://127.0.0.1:${listen}`;
    await expect.poll(async () => (await get(`${NGX}${endpoints.health}`).catch(() => ({ status: 0 }))).status, { timeout: 10_000, message: nginxErr }).toBe(200);
    const nginxLog = () => readFileSync(accessLog, 'utf8').split('\n').filter(Boolean);

    // 1. B's client listens through nginx; A's client logs in and sends through nginx.
    const watch = cli('B', ['inbox', 'sync', '--watch', '--server', NGX]);
    await expect.poll(async () => (await streamsOpen(one)) + (await streamsOpen(two)), { timeout: 20_000 }).toBe(1);
    const doc = path.join(work, 'cong-van-1.pdf');
    writeFileSync(doc, '%PDF-1.7\n% Công văn số 1\n%%EOF\n');
    const sendArgs = (n: number, file: string) => ['send', '--server', NGX, '--to', ORGS.B.code, '--subject', `Công văn số ${n}`, '--number', String(n), '--notation', 'UBND-VP', '--type', 'Công văn', file];
    const first = await cli('A', sendArgs(1, doc)).done;
    expect(first.code, first.err).toBe(0);
    const sent1 = JSON.parse(first.out) as { messageId: string; delivery: { sent: number } };
    expect(sent1.delivery.sent).toBe(1);
    // Heard on B's open stream (the watch prints only what its stream signals).
    await expect.poll(() => watch.out(), { timeout: 10_000 }).toContain(`[${sent1.messageId}]`);

    // 2. The instances saw the caller (127.0.0.1, from X-Forwarded-For), not the proxy
    // (127.0.0.2, the TCP peer), and nginx's request id, which nginx logged too.
    const lines = [...requestLines(one), ...requestLines(two)];
    const upload = lines.find((l) => l.path === endpoints.packages && l.method === 'POST');
    expect(upload, JSON.stringify(lines)).toMatchObject({ status: 201, client: '127.0.0.1', org: ORGS.A.code });
    expect(upload!.reqId).toMatch(/^[0-9a-f]{32}$/);
    expect(nginxLog().find((l) => l.includes(`"POST ${endpoints.packages}" 201`))).toMatch(new RegExp(` ${String(upload!.reqId)}$`));
    expect(lines.filter((l) => l.client !== '127.0.0.1')).toEqual([]);
    // A forged X-Forwarded-For or X-Request-Id from the caller does not reach the log.
    const forged = await get(`${NGX}${endpoints.inbox}`, { 'x-forwarded-for': '192.0.2.66', 'x-request-id': 'forged-id' });
    expect(forged.status).toBe(401);
    const id = String(forged.headers['x-request-id']);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    await expect.poll(() => [...requestLines(one), ...requestLines(two)].find((l) => l.reqId === id)).toMatchObject({ path: endpoints.inbox, status: 401, client: '127.0.0.1' });
    expect(nginxLog().some((l) => l.endsWith(` ${id}`) && l.startsWith('127.0.0.1 '))).toBe(true);
    expect(readFileSync(accessLog, 'utf8')).not.toContain('ticket=');

    // 3. The instance holding B's stream is killed; nginx skips it (passive failover).
    const [dead, alive] = (await streamsOpen(one)) === 1 ? [one, two] : [two, one];
    dead.child.kill('SIGKILL');
    await once(dead.child, 'exit');
    const killedAt = nginxLog().length;
    for (let i = 0; i < 6; i++) expect((await get(`${NGX}${endpoints.health}`)).status).toBe(200);
    await expect.poll(() => streamsOpen(alive), { timeout: 15_000 }).toBe(1);
    const doc2 = path.join(work, 'cong-van-2.pdf');
    writeFileSync(doc2, '%PDF-1.7\n% Công văn số 2\n%%EOF\n');
    const second = await cli('A', sendArgs(2, doc2)).done;
    expect(second.code, second.err).toBe(0);
    const sent2 = JSON.parse(second.out) as { messageId: string; delivery: { sent: number } };
    expect(sent2.delivery.sent).toBe(1);
    await expect.poll(() => watch.out(), { timeout: 10_000 }).toContain(`[${sent2.messageId}]`);
    const after = nginxLog().slice(killedAt);
    expect(after.filter((l) => / 50[234] /.test(l))).toEqual([]);
    // At least one request went to the dead instance first and was passed on to the live one.
    expect(after.some((l) => l.includes(`"127.0.0.1:${dead.port}, 127.0.0.1:${alive.port}"`)), after.join('\n')).toBe(true);

    // 4. /metrics is nginx's own 404 (no instance's X-Request-Id); the instance has it on its listener.
    for (const p of ['/metrics', '/metrics?name=kyso_deliveries_total']) {
      const m = await get(`${NGX}${p}`);
      expect(m.status, p).toBe(404);
      expect(m.headers['x-request-id'], p).toBeUndefined();
      expect(m.body).not.toContain('kyso_');
    }
    expect(await (await fetch(`${alive.metrics}/metrics`)).text()).toContain('kyso_http_requests_total');

    watch.child.kill('SIGTERM');
    expect((await watch.done).code).toBe(0);
  });
});
