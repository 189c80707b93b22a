/**
 * `kyso service` as a real process: unattended mode signs for the named site with the PIN
 * from the environment, writes each signature to the audit log (never the PIN, cookie or
 * token), and refuses any other site without a question; options are checked; `status`
 * and `install-ca` / `uninstall-ca` work on a temp home; every subcommand answers --help.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { DOCSYS_SESSION, startDocSys, type DocSys } from '../../bed/docsys.js';
import { pdfsig, pdfsigBlocks } from '../signing/oracles.js';
import { wsCall } from './harness.js';

const KYSO = path.resolve('bin/kyso.js');
const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let bed: TestBed;
let docs: DocSys;
let work: string;
let home: string;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

function kyso(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [KYSO, ...args], { encoding: 'utf8', env: { ...process.env, KYSO_FROM_SOURCE: '1', KYSO_HOME: home, ...env } });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-svc-cli-'));
  home = path.join(work, 'home');
  mkdirSync(home);
  bed = await createTestBed();
  docs = await startDocSys(path.join(work, 'docsys'));
}, 120_000);

afterAll(async () => {
  await docs?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('kyso service', () => {
  it('answers --help for the command and each subcommand', () => {
    for (const args of [['service', '--help'], ['service', 'install-ca', '--help'], ['service', 'uninstall-ca', '--help'], ['service', 'status', '--help']]) {
      const r = kyso([...args, '--lang', 'en']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Usage: kyso service/);
    }
    expect(kyso(['--help', '--lang', 'en']).stdout).toMatch(/service\s+The local signing service/);
  });

  it('refuses incomplete unattended options before starting', () => {
    expect(kyso(['service', '--unattended', '--lang', 'en']).stderr).toMatch(/needs at least one --allow-origin/);
    expect(kyso(['service', '--unattended', '--allow-origin', 'https://a.example', '--lang', 'en']).stderr).toMatch(/needs the PIN from --pin-env or --pin-file/);
    expect(kyso(['service', '--unattended', '--allow-origin', 'ftp://a.example', '--pin-env', 'X', '--lang', 'en']).stderr).toMatch(/is not a web site address/);
    expect(kyso(['service', '--allow-origin', 'https://a.example', '--lang', 'en']).stderr).toMatch(/go with --unattended only/);
    expect(kyso(['service', '--unattended', '--allow-origin', 'https://a.example', '--pin-env', 'KHONG_CO', '--lang', 'en']).stderr).toMatch(/KHONG_CO/);
  });

  it('unattended: signs for the allowed site, refuses another one without asking, logs every signature', async () => {
    const [vgcaPort, vnptPort] = [await freePort(), await freePort()];
    const audit = path.join(work, 'audit.jsonl');
    const child: ChildProcess = spawn(process.execPath, [KYSO, 'service', '--unattended', '--allow-origin', docs.origin, '--pin-env', 'KYSO_TEST_PIN', '--module', bed.module,
      '--token', bed.tokens.official.label, '--cert', bed.certs.official.serial, '--port', String(vgcaPort), '--vnpt-port', String(vnptPort), '--audit-log', audit], {
      env: { ...process.env, ...bed.env, KYSO_FROM_SOURCE: '1', KYSO_HOME: home, KYSO_TEST_PIN: bed.tokens.official.pin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(out)), 60_000);
        const check = () => /wss:\/\/127\.0\.0\.1:\d+/.test(out) && /CẢNH BÁO/.test(out) && (clearTimeout(t), resolve());
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        child.once('exit', () => reject(new Error(out)));
      });
      expect(out).toContain(`wss://127.0.0.1:${vgcaPort}`);
      expect(out).toContain(`wss://localhost:${vnptPort}/plugin`);
      expect(out).toMatch(/CẢNH BÁO: chế độ tự động/);
      const caFile = path.join(home, 'local-service', 'local-ca.pem');
      const f = path.join(work, 'a.pdf');
      copyFileSync(FIXTURE, f);
      const url = docs.addFile('a.pdf', f);
      const body = JSON.stringify({ FileUploadHandler: `${docs.origin}/upload`, SessionId: DOCSYS_SESSION.sessionId, JWTToken: DOCSYS_SESSION.jwt, FileName: url });
      const ok = await wsCall(`wss://127.0.0.1:${vgcaPort}/SignApproved`, body, { origin: docs.origin, caFile });
      const reply = JSON.parse(ok.text!) as { Status: number; FileServer: string; Message: string };
      expect(reply.Status, reply.Message).toBe(0);
      expect(reply.FileServer).toBe(docs.uploads[0]!.answer);
      expect(pdfsigBlocks(await pdfsig(docs.uploads[0]!.file, bed.nssDir)).at(-1)).toContain('Signature is Valid.');
      const refused = JSON.parse((await wsCall(`wss://127.0.0.1:${vgcaPort}/SignApproved`, body, { origin: 'https://khac.example.vn', caFile })).text!) as { Status: number; Message: string };
      expect(refused.Status).toBe(1);
      expect(refused.Message).toContain('https://khac.example.vn');
      expect(docs.uploads).toHaveLength(1);
      const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l.outcome)).toEqual(['signed', 'uploaded']);
      expect(lines[0]).toMatchObject({ origin: docs.origin, operation: 'SignApproved', mode: 'unattended', certificate: { serial: bed.certs.official.serial.toLowerCase() } });
      const text = readFileSync(audit, 'utf8') + out;
      for (const secret of [bed.tokens.official.pin, DOCSYS_SESSION.sessionId, DOCSYS_SESSION.jwt]) expect(text).not.toContain(secret);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(out).toMatch(/Đã dừng dịch vụ ký số/);
  }, 120_000);

  it('status shows the CA; install-ca and uninstall-ca use the NSS db under HOME', () => {
    const userHome = path.join(work, 'user');
    mkdirSync(userHome);
    const env = { HOME: userHome };
    const ins = kyso(['service', 'install-ca', '--lang', 'en'], env);
    expect(ins.status, ins.stderr).toBe(0);
    expect(ins.stdout).toContain(`Local CA trusted in ${path.join(userHome, '.pki', 'nssdb')}`);
    const st = kyso(['service', 'status', '--json'], env);
    const json = JSON.parse(st.stdout) as { ca: { fingerprint: string }; trust: Array<{ trusted: boolean }> };
    expect(json.ca.fingerprint).toMatch(/^[0-9A-F:]{95}$/);
    expect(json.trust).toEqual([{ location: path.join(userHome, '.pki', 'nssdb'), trusted: true }]);
    const un = kyso(['service', 'uninstall-ca', '--lang', 'en'], env);
    expect(un.status, un.stderr).toBe(0);
    expect(JSON.parse(kyso(['service', 'status', '--json'], env).stdout).trust).toEqual([{ location: path.join(userHome, '.pki', 'nssdb'), trusted: false }]);
  });
});
