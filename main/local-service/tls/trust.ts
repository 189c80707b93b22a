/**
 * Trusting the local CA for the current user, so browsers open wss://127.0.0.1 without a
 * warning: NSS databases (Chromium and Chrome on Linux use ~/.pki/nssdb, Firefox one per
 * profile) through `certutil` from the NSS tools, the Windows user Root store through the
 * system's `certutil -user`, the macOS login keychain through `security`. Nothing needs
 * administrator rights; every CA Kyso ever installed (renewals included) is named
 * "Kyso Local Signing CA (...)" so uninstall finds them all.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ensureDir, writeFileAtomic } from './files.js';

/** Prefix of every local CA's name (its nickname in NSS, its subject CN elsewhere). */
export const CA_NAME_PREFIX = 'Kyso Local Signing CA';

/** Outcome for one trust store. */
export interface TrustStoreResult {
  /** 'nss' (a certutil database), 'windows' (user Root store) or 'macos' (login keychain). */
  kind: 'nss' | 'windows' | 'macos';
  /** The database folder or keychain. */
  location: string;
  ok: boolean;
  /** Why it failed (the tool's own words, trimmed). */
  detail?: string;
}

/** Runs a program; resolves with its exit status and output (never rejects). */
export type Runner = (cmd: string, args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** The default runner: no shell, 60 s limit (a Windows or macOS confirmation may wait for the user). */
export const runProgram: Runner = (cmd, args) =>
  new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      resolve({ code: -1, stdout: '', stderr: e instanceof Error ? e.message : String(e) });
      return;
    }
    // Our own limit, not spawn's `timeout`: that one's timer outlives a program that is not
    // found, and kept `kyso service install-ca` without certutil alive for 60 s per database.
    const limit = setTimeout(() => child.kill(), 60_000);
    const done = (r: { code: number; stdout: string; stderr: string }) => {
      clearTimeout(limit);
      resolve(r);
    };
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => done({ code: -1, stdout, stderr: e.code === 'ENOENT' ? `${cmd}: not found` : e.message }));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });

/** Where and how to install. */
export interface TrustOptions {
  /** The user's home (default os.homedir()); tests point it at a temp folder. */
  home?: string;
  platform?: NodeJS.Platform;
  run?: Runner;
}

const trimmed = (s: string) => s.trim().split('\n').slice(-3).join(' ').slice(0, 300);

/** NSS databases of the user: Chromium/Chrome's shared one and every Firefox profile (also the snap's). */
export function nssDatabases(home: string): string[] {
  const dbs = [path.join(home, '.pki', 'nssdb')];
  for (const base of [path.join(home, '.mozilla', 'firefox'), path.join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox')]) {
    let entries: string[];
    try {
      entries = readdirSync(base);
    } catch {
      continue;
    }
    for (const e of entries) if (existsSync(path.join(base, e, 'cert9.db'))) dbs.push(path.join(base, e));
  }
  return dbs;
}

/** The certificates an NSS database lists, with their SSL trust flags ("C": a CA trusted for TLS servers). */
async function nssList(db: string, run: Runner): Promise<Array<{ nick: string; ssl: string }>> {
  const r = await run('certutil', ['-L', '-d', `sql:${db}`]);
  if (r.code !== 0) return [];
  return r.stdout.split('\n').flatMap((l) => {
    const m = /^(.*?)\s+([A-Za-z]*),[A-Za-z]*,[A-Za-z]*\s*$/.exec(l);
    return m ? [{ nick: m[1]!.trim(), ssl: m[2]! }] : [];
  });
}

/** Nicknames of Kyso's local CAs in one NSS database. */
async function kysoNicknames(db: string, run: Runner): Promise<string[]> {
  return (await nssList(db, run)).map((c) => c.nick).filter((n) => n.startsWith(CA_NAME_PREFIX));
}

/** Deletes every certificate named `nick` (renewals on one day share one), at most 20. */
async function nssDelete(db: string, nick: string, run: Runner): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = await run('certutil', ['-D', '-d', `sql:${db}`, '-n', nick]);
    if (r.code !== 0) break;
  }
}

async function nssInstall(db: string, caFile: string, nick: string, run: Runner): Promise<TrustStoreResult> {
  const failed = (detail: string): TrustStoreResult => ({ kind: 'nss', location: db, ok: false, detail: trimmed(detail) });
  // Chromium's database may not exist yet on a fresh account: create it (empty password, as Chromium does).
  if (!existsSync(path.join(db, 'cert9.db'))) {
    try {
      mkdirSync(db, { recursive: true, mode: 0o700 });
    } catch (e) {
      // A folder in the way that is not the user's (made by root) fails this store only.
      return failed(e instanceof Error ? e.message : String(e));
    }
    const n = await run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    if (n.code !== 0) return failed(n.stderr || n.stdout);
  }
  // "C,,": a CA trusted for TLS servers only, not for e-mail or code signing. An empty password
  // file: a database with a password (Firefox's primary password) fails at once instead of
  // certutil asking for it on the terminal, unseen (the installer's, or behind our pipes).
  const r = await run('certutil', ['-A', '-d', `sql:${db}`, '-n', nick, '-t', 'C,,', '-i', caFile, '-f', os.devNull]);
  if (r.code === 0) return { kind: 'nss', location: db, ok: true };
  // certutil adds the certificate before it sets the trust (which needs the password): take an
  // untrusted copy back out, never one that is trusted.
  const same = (await nssList(db, run)).filter((c) => c.nick === nick);
  if (same.length > 0 && same.every((c) => !c.ssl.includes('C'))) await nssDelete(db, nick, run);
  return failed(r.stderr || r.stdout);
}

/**
 * Why a store failed, when Kyso can say it in the user's language: the locale key under
 * `error.` (its `{file}` is the CA's file, for trusting it by hand).
 */
export function trustFailure(r: TrustStoreResult): 'serviceCertutilMissing' | 'serviceNssPassword' | undefined {
  if (r.ok) return undefined;
  if (/certutil: not found/.test(r.detail ?? '')) return 'serviceCertutilMissing';
  if (/SEC_ERROR_BAD_PASSWORD|could not authenticate/.test(r.detail ?? '')) return 'serviceNssPassword';
  return undefined;
}

async function nssUninstall(db: string, run: Runner): Promise<TrustStoreResult> {
  if (!existsSync(path.join(db, 'cert9.db'))) return { kind: 'nss', location: db, ok: true };
  for (const nick of await kysoNicknames(db, run)) await nssDelete(db, nick, run);
  const left = await kysoNicknames(db, run);
  return { kind: 'nss', location: db, ok: left.length === 0, ...(left.length ? { detail: `still present: ${left.join(', ')}` } : {}) };
}

/**
 * The record of installed CAs (Windows and macOS remove by serial / hash, not by name), and
 * whether the user took the trust away (`uninstall-ca`): the installers' and the login
 * autostart's `install-ca --if-needed` then leave it alone until the user trusts again.
 */
interface Installed {
  cas: Array<{ serial: string; sha1: string; pem: string }>;
  optedOut?: boolean;
}

const RECORD = 'installed-cas.json';

/** One recorded CA; hex only (the serial goes on certutil's command line, the SHA-1 into a file name). */
const recordedCa = z.object({ serial: z.string().regex(/^[0-9A-Fa-f]{1,64}$/), sha1: z.string().regex(/^[0-9A-Fa-f]{40}$/), pem: z.string() });
const recordShape = z.object({ cas: z.array(z.unknown()), optedOut: z.unknown().optional() });

/** The record, or an empty one: a file that is not JSON or not this shape, and entries that are not, count as nothing. */
function readInstalled(file: string): Installed {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { cas: [] };
  }
  const record = recordShape.safeParse(v);
  if (!record.success) return { cas: [] };
  const cas = record.data.cas.flatMap((c) => {
    const entry = recordedCa.safeParse(c);
    return entry.success ? [entry.data] : [];
  });
  return { cas, ...(record.data.optedOut === true ? { optedOut: true } : {}) };
}

function writeInstalled(stateDir: string, record: Installed): void {
  ensureDir(stateDir);
  writeFileAtomic(path.join(stateDir, RECORD), JSON.stringify(record, null, 2), 0o644);
}

/** Whether `install-ca --if-needed` has work to do for this account. */
export type TrustNeed = 'needed' | 'trusted' | 'optedOut';

/**
 * What `install-ca --if-needed` should do: nothing when the user took the trust away, nothing
 * when this CA is recorded as installed and (on Linux, where Kyso can look) every NSS database
 * trusts it, else trust it (a new CA after a renewal, a new Firefox profile, a fresh account).
 */
export async function trustNeed(caFile: string, stateDir: string, options: TrustOptions = {}): Promise<TrustNeed> {
  const record = readInstalled(path.join(stateDir, RECORD));
  if (record.optedOut) return 'optedOut';
  if (!existsSync(caFile)) return 'needed';
  const serial = new X509Certificate(readFileSync(caFile)).serialNumber;
  if (!record.cas.some((c) => c.serial === serial)) return 'needed';
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') {
    // The record can be stale: the uninstaller's logon removal, or the user, may have deleted it from the store.
    const r = await (options.run ?? runProgram)(windowsTool(), ['-user', '-store', 'Root', serial]);
    return r.code === 0 ? 'trusted' : 'needed';
  }
  if (platform !== 'linux') return 'trusted';
  return (await nssTrustStatus(caFile, options)).every((s) => s.trusted) ? 'trusted' : 'needed';
}

function windowsTool(): string {
  // The system's certutil, never an NSS certutil found earlier on PATH.
  return path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'certutil.exe');
}

/**
 * Trusts the CA in `caFile` for the current user in every store of the platform. `stateDir`
 * keeps the record of what was installed (for uninstall).
 */
export async function installCa(caFile: string, stateDir: string, options: TrustOptions = {}): Promise<TrustStoreResult[]> {
  const home = options.home ?? os.homedir();
  const platform = options.platform ?? process.platform;
  const run = options.run ?? runProgram;
  const x = new X509Certificate(readFileSync(caFile));
  const nick = x.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? CA_NAME_PREFIX;
  const results: TrustStoreResult[] = [];
  if (platform === 'win32') {
    // -user: the current user's store, no elevation; Windows asks the user to confirm a new root.
    const r = await run(windowsTool(), ['-user', '-f', '-addstore', 'Root', caFile]);
    results.push({ kind: 'windows', location: 'CurrentUser\\Root', ok: r.code === 0, ...(r.code === 0 ? {} : { detail: trimmed(r.stdout || r.stderr) }) });
  } else if (platform === 'darwin') {
    const keychain = path.join(home, 'Library', 'Keychains', 'login.keychain-db');
    const r = await run('/usr/bin/security', ['add-trusted-cert', '-r', 'trustRoot', '-p', 'ssl', '-k', keychain, caFile]);
    results.push({ kind: 'macos', location: keychain, ok: r.code === 0, ...(r.code === 0 ? {} : { detail: trimmed(r.stderr || r.stdout) }) });
  }
  // Firefox keeps its own NSS databases on every platform; Chromium uses ~/.pki/nssdb on Linux only.
  const dbs = nssDatabases(home).filter((db) => platform === 'linux' || !db.endsWith(path.join('.pki', 'nssdb')));
  for (const db of dbs) results.push(await nssInstall(db, caFile, nick, run));
  const record = readInstalled(path.join(stateDir, RECORD));
  if (!record.cas.some((c) => c.serial === x.serialNumber)) record.cas.push({ serial: x.serialNumber, sha1: x.fingerprint.replace(/:/g, ''), pem: x.toString() });
  // Trusting by hand (or from Settings) undoes an earlier uninstall-ca.
  writeInstalled(stateDir, { cas: record.cas });
  return results;
}

/**
 * Removes every Kyso local CA this user trusts (this one and earlier renewals), and records
 * that the user did (`install-ca --if-needed` will not trust again on its own) unless
 * `recordChoice` is false: the uninstallers remove trust without the user having chosen to.
 */
export async function uninstallCa(stateDir: string, options: TrustOptions & { recordChoice?: boolean } = {}): Promise<TrustStoreResult[]> {
  const home = options.home ?? os.homedir();
  const platform = options.platform ?? process.platform;
  const run = options.run ?? runProgram;
  const record = readInstalled(path.join(stateDir, RECORD));
  const results: TrustStoreResult[] = [];
  if (platform === 'win32') {
    let ok = true;
    let detail = '';
    for (const c of record.cas) {
      const r = await run(windowsTool(), ['-user', '-delstore', 'Root', c.serial]);
      if (r.code !== 0 && !/not found|cannot find/i.test(r.stdout + r.stderr)) {
        ok = false;
        detail = trimmed(r.stdout || r.stderr);
      }
    }
    results.push({ kind: 'windows', location: 'CurrentUser\\Root', ok, ...(ok ? {} : { detail }) });
  } else if (platform === 'darwin') {
    const keychain = path.join(home, 'Library', 'Keychains', 'login.keychain-db');
    let ok = true;
    let detail = '';
    for (const c of record.cas) {
      const tmp = path.join(stateDir, `remove-${c.sha1}.pem`);
      writeFileAtomic(tmp, c.pem, 0o644);
      await run('/usr/bin/security', ['remove-trusted-cert', tmp]);
      const r = await run('/usr/bin/security', ['delete-certificate', '-Z', c.sha1, keychain]);
      if (r.code !== 0 && !/could not be found/i.test(r.stderr + r.stdout)) {
        ok = false;
        detail = trimmed(r.stderr || r.stdout);
      }
    }
    results.push({ kind: 'macos', location: keychain, ok, ...(ok ? {} : { detail }) });
  }
  for (const db of nssDatabases(home)) results.push(await nssUninstall(db, run));
  const optedOut = options.recordChoice === false ? record.optedOut : true;
  writeInstalled(stateDir, { cas: results.every((r) => r.ok) ? [] : record.cas, ...(optedOut ? { optedOut } : {}) });
  return results;
}

/** Whether the NSS databases (Linux) trust a CA with this certificate; undefined where Kyso cannot tell. */
export async function nssTrustStatus(caFile: string, options: TrustOptions = {}): Promise<Array<{ location: string; trusted: boolean }>> {
  const home = options.home ?? os.homedir();
  const run = options.run ?? runProgram;
  const x = new X509Certificate(readFileSync(caFile));
  const nick = x.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';
  const out: Array<{ location: string; trusted: boolean }> = [];
  for (const db of nssDatabases(home)) {
    if (!existsSync(path.join(db, 'cert9.db'))) {
      out.push({ location: db, trusted: false });
      continue;
    }
    // This certificate is there, and its name is trusted for TLS servers (not a copy whose trust
    // was taken away, or left without trust by a database that asked for a password).
    const r = await run('certutil', ['-L', '-d', `sql:${db}`, '-n', nick, '-a']);
    const present = r.code === 0 && r.stdout.replace(/\s/g, '').includes(x.raw.toString('base64'));
    out.push({ location: db, trusted: present && (await nssList(db, run)).some((c) => c.nick === nick && c.ssl.includes('C')) });
  }
  return out;
}
