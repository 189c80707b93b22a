/**
 * Demo mode (`npm start`): a working office. A persisted test bed under KYSO_HOME/demo with
 * the "Kyso Demo" token, the demo PKI trusted by the app, the bed's OCSP/TSA/CRL server, the
 * local inbox server, a second, outside body on it that answers what it receives (registers
 * it, and replies when a reply-by date is set), sample letters, and the app set up for all of
 * it (server, connecting certificate, TSA, signature and seal images). Ctrl-C stops everything.
 * Usage: tsx test/bed/demo.ts [--setup-only] [kyso app options, e.g. --browser --port 8080 --no-open]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { trustAdd } from '../../main/pki/trust-store.js';
import { kysoHome, packageRoot } from '../../main/services/paths.js';
import { openStore } from '../../main/store/index.js';
import { createTestBed, type BedTokenSpec, type TestBed } from './index.js';
import { startOutsideBody, type OutsideBody } from './outside-body/index.js';

/** The demo token: official and seal keys on one token (CKA_ID 01 and 02). */
export const DEMO_TOKEN: BedTokenSpec = { label: 'Kyso Demo', pin: '123456', soPin: '12345678' };
/** A second demo token holding a revoked certificate, to show how a revoked signature looks. */
export const DEMO_REVOKED_TOKEN: BedTokenSpec = { label: 'Kyso Demo Revoked', pin: '123456', soPin: '12345678' };
/** Organization code of the demo organization on the local inbox server. */
export const DEMO_ORG = { code: '000.00.00.H99', name: 'Ủy ban nhân dân tỉnh Thử Nghiệm', abbreviation: 'UBND' };
/** The outside body that answers: a department of the province. */
export const OUTSIDE_ORG = { code: '000.01.00.H99', name: 'Sở Tài chính tỉnh Thử Nghiệm', abbreviation: 'STC-VP' };
/** The demo's sample letters (copies of the sample công văn) for signing and batch issuing. */
export const SAMPLE_LETTERS = ['cong-van-01.pdf', 'cong-van-02.pdf', 'cong-van-03.pdf', 'cong-van-04.pdf', 'cong-van-05.pdf'];

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
 * Runs a one-shot `kyso` command; resolves with its exit code and output. Asynchronous on
 * purpose: the bed's responders (AIA, OCSP) live in this process, and `server user add`
 * fetches the issuing CA from them; a spawnSync would block them until the command gave up.
 */
async function kysoRun(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [kysoBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, out, err };
}

/** Runs a one-shot `kyso` command and fails loudly. */
async function kyso(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await kysoRun(args, env);
  if (r.code !== 0) throw new Error(`kyso ${args.join(' ')}: ${r.err || r.out}`);
  return r.out;
}

/** The outside body's key and certificate (issued once by the demo PKI, reused later). */
async function outsideIdentity(bed: TestBed): Promise<{ certPath: string; keyPath: string }> {
  const dir = path.join(bed.dir, 'outside-body');
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true });
    const c = await bed.pki.issue({ name: 'outside-body', profile: 'seal', subject: [['C', 'VN'], ['ST', 'Thử Nghiệm'], ['O', OUTSIDE_ORG.name], ['CN', OUTSIDE_ORG.name], ['UID', 'MST:0100000002']] });
    copyFileSync(c.certPath, certPath);
    copyFileSync(c.keyPath!, keyPath);
  }
  return { certPath, keyPath };
}

/** Registers the organizations and their certificates on the inbox server's data (idempotent). */
async function registerOrgs(bed: TestBed, data: string, env: NodeJS.ProcessEnv, outsideCert: string): Promise<void> {
  const have = (JSON.parse(await kyso(['server', 'org', 'list', '--data', data, '--json'], env)) as Array<{ code: string }>).map((o) => o.code);
  const add = async (code: string, name: string, parent?: string) => {
    if (!have.includes(code)) await kyso(['server', 'org', 'add', '--data', data, '--code', code, '--name', name, ...(parent ? ['--parent', parent] : [])], env);
  };
  const user = async (org: string, cert: string) => {
    const r = await kysoRun(['--lang', 'en', 'server', 'user', 'add', '--data', data, '--trust', bed.certs.root.certPath, '--org', org, '--cert', cert], env);
    // Already bound on an earlier run: nothing to do.
    if (r.code !== 0 && !/already bound/.test(r.err + r.out)) throw new Error(`kyso server user add: ${r.err || r.out}`);
  };
  await add(DEMO_ORG.code, DEMO_ORG.name);
  await add(OUTSIDE_ORG.code, OUTSIDE_ORG.name, DEMO_ORG.code);
  await user(DEMO_ORG.code, bed.certs.official.certPath);
  await user(DEMO_ORG.code, bed.certs.seal.certPath);
  await user(OUTSIDE_ORG.code, outsideCert);
}

/**
 * Starts the local inbox server (HTTPS, demo TLS certificate); resolves with its URL. Its JSON
 * log (a line per request, the outside body polls every few seconds) goes to `<data>.log`,
 * not to the terminal where `npm start` shows the demo's own lines.
 */
async function startInbox(bed: TestBed, data: string, env: NodeJS.ProcessEnv, port: number): Promise<{ child: ChildProcess; url: string }> {
  const logPath = `${data}.log`;
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, [kysoBin, 'server', '--data', data, '--port', String(port), '--json',
    '--trust', bed.certs.root.certPath, '--tls-cert', bed.tlsChainPath, '--tls-key', bed.certs.tls.keyPath ?? ''], { env, stdio: ['ignore', 'pipe', log] });
  closeSync(log);
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`kyso server exited (${code}); its log: ${logPath}`)));
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

/**
 * Sets the app up for the demo's servers (settings the user has not changed since the last
 * run): inbox server, connecting certificate (the organization's, on the demo token), TSA,
 * signature and seal images, the signer block's title, the body's abbreviation; and puts the
 * sample letters in KYSO_HOME/demo/van-ban.
 */
export function configureDemoApp(home: string, bed: TestBed, inboxUrl: string): { letters: string } {
  const images = path.join(home, 'demo', 'images');
  const letters = path.join(home, 'demo', 'van-ban');
  mkdirSync(images, { recursive: true });
  mkdirSync(letters, { recursive: true });
  const fixtures = path.join(packageRoot(), 'test', 'fixtures');
  copyFileSync(path.join(fixtures, 'signature.png'), path.join(images, 'chu-ky.png'));
  copyFileSync(path.join(fixtures, 'seal.png'), path.join(images, 'con-dau.png'));
  for (const name of SAMPLE_LETTERS) if (!existsSync(path.join(letters, name))) copyFileSync(path.join(fixtures, 'cong-van-mau.pdf'), path.join(letters, name));
  const marker = path.join(home, 'demo', 'configured.json');
  const before = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as Record<string, unknown>) : {};
  const wanted: Record<string, unknown> = {
    'exchange.server': inboxUrl,
    'exchange.signer': { module: bed.module, label: DEMO_TOKEN.label, cert: createHash('sha256').update(bed.certs.seal.der).digest('hex') },
    'exchange.orgAbbreviation': DEMO_ORG.abbreviation,
    'sign.tsaUrl': bed.urls.tsa,
    'sign.signatureImage': path.join(images, 'chu-ky.png'),
    'sign.sealImage': path.join(images, 'con-dau.png'),
    'sign.anchorText': 'PHÓ CHỦ TỊCH',
    // Who signs what in the demo office: the official approves, the seal issues.
    'sign.cert.approval': createHash('sha256').update(bed.certs.official.der).digest('hex'),
    'sign.cert.issuing': createHash('sha256').update(bed.certs.seal.der).digest('hex'),
  };
  const store = openStore(home);
  try {
    for (const [key, value] of Object.entries(wanted)) {
      const current = store.settings.get(key);
      // Only what is unset, or still what the demo set last time (the user's changes stay).
      if (current === undefined || current === null || JSON.stringify(current) === JSON.stringify(before[key])) store.settings.set(key, value as never);
    }
  } finally {
    store.close();
  }
  writeFileSync(marker, JSON.stringify(wanted, null, 2));
  return { letters };
}

/** The demo's running services. */
export interface DemoOffice {
  bed: TestBed;
  env: NodeJS.ProcessEnv;
  inboxUrl: string;
  outside: OutsideBody;
  letters: string;
  stop(): Promise<void>;
}

/** Starts the office around an existing bed: inbox server, outside body, app settings. */
export async function startDemoOffice(home: string, bed: TestBed, inboxPort: number, say: (s: string) => void = () => undefined): Promise<DemoOffice> {
  const env = demoEnv(bed, home);
  const data = path.join(home, 'demo', 'inbox-server');
  mkdirSync(data, { recursive: true });
  const outsideId = await outsideIdentity(bed);
  await registerOrgs(bed, data, env, outsideId.certPath);
  const inbox = await startInbox(bed, data, env, inboxPort);
  const inboxExited = new Promise<void>((r) => inbox.child.once('exit', () => r()));
  const { letters } = configureDemoApp(home, bed, inbox.url);
  let outside: OutsideBody;
  try {
    outside = await startOutsideBody({
      home: path.join(home, 'demo', 'outside-body-home'),
      server: inbox.url,
      code: OUTSIDE_ORG.code,
      keyPath: outsideId.keyPath,
      certPath: outsideId.certPath,
      chainPaths: [bed.certs.issuing.certPath],
      rootPath: bed.certs.root.certPath,
      tsaUrl: bed.urls.tsa,
      body: { name: OUTSIDE_ORG.name, upper: 'SỞ TÀI CHÍNH', lower: 'TỈNH THỬ NGHIỆM', abbreviation: OUTSIDE_ORG.abbreviation, place: 'Thử Nghiệm', signerTitle: 'GIÁM ĐỐC', signerName: 'Lê Thị Hoa' },
    }, env, (l) => say(l));
  } catch (e) {
    inbox.child.kill('SIGINT');
    await inboxExited;
    throw e;
  }
  return {
    bed,
    env,
    inboxUrl: inbox.url,
    outside,
    letters,
    stop: async () => {
      await outside.stop();
      if (inbox.child.exitCode === null && inbox.child.signalCode === null) inbox.child.kill('SIGINT');
      await inboxExited;
    },
  };
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
    organization: DEMO_ORG, outsideBody: OUTSIDE_ORG, letters: path.join(home, 'demo', 'van-ban'),
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

  const office = await startDemoOffice(home, bed, inboxPort, say);
  say(`inbox server ${office.inboxUrl}: ${DEMO_ORG.code} (you) and ${OUTSIDE_ORG.code} ${OUTSIDE_ORG.name} (answers: registers what it receives, replies when you set a reply-by date)`);
  say(`sample letters in ${office.letters}`);
  // The national axis (simulated) with an outside body behind it, linked to the inbox server.
  const { startAxisDemo, DEMO_OUTSIDE } = await import('./axis-sim/demo.js');
  const axisPort = Number(process.env.KYSO_DEMO_AXIS_PORT ?? 8789);
  const axis = await startAxisDemo({ dir: path.join(home, 'demo', 'axis'), dataDir: path.join(home, 'demo', 'inbox-server'), port: axisPort, orgs: [DEMO_ORG], kyso: (a) => kyso(a, env), log: (l) => say(`axis ${l}`) });
  say(`national axis (simulated) http://127.0.0.1:${axisPort}/vxp; outside body ${DEMO_OUTSIDE.name} (${DEMO_OUTSIDE.code}) answers through it`);
  const app = spawn(process.execPath, [kysoBin, 'app', ...appArgs], { env, stdio: 'inherit' });
  const appExited = new Promise<number>((resolve) => app.once('exit', (code) => resolve(code ?? 0)));

  // Ctrl-C reaches the whole foreground process group; we wait for the app, then stop the rest.
  const stopApp = () => app.exitCode === null && app.signalCode === null && app.kill('SIGINT');
  process.on('SIGINT', stopApp);
  process.on('SIGTERM', stopApp);
  // `npm start` stopped by SIGTERM kills only its own shell: when we are orphaned, stop too.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stopApp(), 1000).unref();
  const status = await appExited;
  await office.stop();
  await axis.stop();
  await bed.close();
  return status;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().then((s) => process.exit(s), (e: unknown) => {
    process.stderr.write(`[demo] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
