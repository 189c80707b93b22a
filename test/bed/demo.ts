/**
 * Demo mode (`npm start`): a persisted test bed under KYSO_HOME/demo with the "Kyso Demo"
 * token, the demo PKI trusted by the app, the bed's OCSP/TSA/CRL server, the local inbox
 * server (when `kyso server` exists) and the app (`kyso app`). Ctrl-C stops everything.
 * Usage: tsx test/bed/demo.ts [--setup-only] [kyso app options, e.g. --browser --port 8080 --no-open]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { trustAdd } from '../../main/pki/trust-store.js';
import { kysoHome, packageRoot } from '../../main/services/paths.js';
import { createTestBed, type BedTokenSpec, type TestBed } from './index.js';

/** The demo token: official and seal keys on one token (CKA_ID 01 and 02). */
export const DEMO_TOKEN: BedTokenSpec = { label: 'Kyso Demo', pin: '123456', soPin: '12345678' };
/** A second demo token holding a revoked certificate, to show how a revoked signature looks. */
export const DEMO_REVOKED_TOKEN: BedTokenSpec = { label: 'Kyso Demo Revoked', pin: '123456', soPin: '12345678' };
/** Organization code of the demo organization on the local inbox server. */
export const DEMO_ORG = { code: '000.00.00.H99', name: 'Ủy ban nhân dân tỉnh Thử Nghiệm' };

/** Environment under which the app and CLI see the demo token, trust and TLS root. */
export function demoEnv(bed: TestBed, home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...bed.env,
    KYSO_HOME: home,
    KYSO_PKCS11_MODULES: bed.module,
    // The local inbox server speaks TLS with a certificate of the demo PKI.
    NODE_EXTRA_CA_CERTS: bed.certs.root.certPath,
  };
}

/** Creates (first run) or reopens the demo bed and trusts its root in KYSO_HOME. */
export async function setupDemo(home: string, port: number): Promise<TestBed> {
  const bed = await createTestBed({ dir: path.join(home, 'demo'), port, officialToken: DEMO_TOKEN, sealToken: DEMO_TOKEN, revokedToken: DEMO_REVOKED_TOKEN });
  trustAdd(home, bed.certs.root.der);
  return bed;
}

const kysoBin = path.join(packageRoot(), 'bin', 'kyso.js');

/**
 * Runs a one-shot `kyso` command and fails loudly. Asynchronous on purpose: the bed's
 * responders (AIA, OCSP) live in this process, and `server user add` fetches the issuing CA
 * from them; a spawnSync would block them until the command gave up.
 */
async function kyso(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [kysoBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`kyso ${args.join(' ')}: ${err || out}`);
  return out;
}

/** Starts the local inbox server (HTTPS, demo TLS certificate); resolves with its URL. */
async function startInbox(bed: TestBed, home: string, env: NodeJS.ProcessEnv, port: number): Promise<{ child: ChildProcess; url: string }> {
  const data = path.join(home, 'demo', 'inbox-server');
  if (!existsSync(data)) {
    mkdirSync(data, { recursive: true });
    await kyso(['server', 'org', 'add', '--data', data, '--code', DEMO_ORG.code, '--name', DEMO_ORG.name], env);
    await kyso(['server', 'user', 'add', '--data', data, '--trust', bed.certs.root.certPath, '--org', DEMO_ORG.code, '--cert', bed.certs.official.certPath], env);
    await kyso(['server', 'user', 'add', '--data', data, '--trust', bed.certs.root.certPath, '--org', DEMO_ORG.code, '--cert', bed.certs.seal.certPath], env);
  }
  const child = spawn(process.execPath, [kysoBin, 'server', '--data', data, '--port', String(port), '--json',
    '--trust', bed.certs.root.certPath, '--tls-cert', bed.tlsChainPath, '--tls-key', bed.certs.tls.keyPath ?? ''], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`kyso server exited (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`kyso server: unexpected output ${line}`));
      }
    });
  });
  return { child, url };
}

async function main(): Promise<number> {
  // Our only own flag is --setup-only; everything else goes to `kyso app`.
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const own = argv.filter((a) => a === '--setup-only');
  const appArgs = argv.filter((a) => a !== '--setup-only');
  const home = kysoHome();
  const bedPort = Number(process.env.KYSO_DEMO_PORT ?? 8788);
  const inboxPort = Number(process.env.KYSO_DEMO_INBOX_PORT ?? 8787);
  const bed = await setupDemo(home, bedPort);
  const env = demoEnv(bed, home);
  const info = {
    home, token: DEMO_TOKEN.label, pin: DEMO_TOKEN.pin, soPin: DEMO_TOKEN.soPin, revokedToken: DEMO_REVOKED_TOKEN.label,
    tsa: bed.urls.tsa, ocsp: bed.urls.ocsp, crl: bed.urls.issuingCrl, root: bed.certs.root.certPath, softhsm2Conf: bed.env.SOFTHSM2_CONF,
  };
  writeFileSync(path.join(home, 'demo', 'demo.json'), JSON.stringify(info, null, 2));
  const say = (s: string) => process.stdout.write(`[demo] ${s}\n`);
  say(`KYSO_HOME ${home}`);
  say(`token "${DEMO_TOKEN.label}" (PIN ${DEMO_TOKEN.pin}): official "Nguyễn Văn An" + seal "${DEMO_ORG.name}"; "${DEMO_REVOKED_TOKEN.label}" holds a revoked certificate`);
  say(`TSA ${bed.urls.tsa}  OCSP ${bed.urls.ocsp}  CRL ${bed.urls.issuingCrl}`);
  if (own.includes('--setup-only')) {
    await bed.close();
    return 0;
  }

  // Loaded here, not at the top: tests import setupDemo without the whole CLI.
  const { commands } = await import('../../main/cli/commands/index.js');
  const children: { child: ChildProcess; exited: Promise<number> }[] = [];
  const track = (child: ChildProcess) => {
    // Created at spawn time so an exit is never missed (a signalled child has exitCode null).
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 0)));
    children.push({ child, exited });
    return exited;
  };
  if (commands.some((c) => c.name === 'server')) {
    const inbox = await startInbox(bed, home, env, inboxPort);
    track(inbox.child);
    say(`inbox server ${inbox.url} (organization ${DEMO_ORG.code})`);
  } else {
    say('inbox server: not available yet (`kyso server` is not in this build)');
  }
  const appExited = track(spawn(process.execPath, [kysoBin, 'app', ...appArgs], { env, stdio: 'inherit' }));

  // Ctrl-C reaches the whole foreground process group; we only wait for the children to
  // finish, then close the bed. If the app ends on its own, stop the rest.
  const stopAll = () => children.forEach(({ child }) => child.exitCode === null && child.signalCode === null && child.kill('SIGINT'));
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  // `npm start` stopped by SIGTERM kills only its own shell: when we are orphaned, stop too.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stopAll(), 1000).unref();
  const status = await appExited;
  stopAll();
  await Promise.all(children.map((c) => c.exited));
  await bed.close();
  return status;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().then((s) => process.exit(s), (e: unknown) => {
    process.stderr.write(`[demo] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
