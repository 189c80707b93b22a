/**
 * How long a token stays logged in, and for whom (issue 15.10).
 *
 * - `kyso sign` and other one-shot callers: openTokenSession logs in once for the command and
 *   out at its end (its bridge process ends too).
 * - The app (SigningSessions): a signing job needs a login made for it; after the job the token
 *   is logged out, unless the setting `token.keepSessionMinutes` keeps it for N minutes, for
 *   that one certificate only (shown in the UI with "log out now"). Another certificate, an
 *   expired or stale session, asks for the PIN again; token:login always checks the PIN.
 * - Callers serving several people (the local signing service): TokenManager.withFreshLogin
 *   (native/token-manager.ts) logs in for one request and out after it, never reusing a session.
 */
import { MAX_KEEP_MINUTES } from '../api/contract/token.js';
import { KysoError, errorCodeOf } from '../api/errors.js';
import { TokenManager } from '../../native/token-manager.js';
import type { ModuleReport, TokenRef } from '../../native/types.js';
import { readCertFiles } from '../pki/cert-file.js';
import type { Signer } from '../pki/signer.js';
import { withChain } from './sign.js';

/** Which token and certificate to use. */
export interface TokenChoice {
  /** PKCS#11 module path; default: the catalogue and KYSO_PKCS11_MODULES. */
  module?: string;
  /** Token label. */
  token?: string;
  /** Certificate serial (hex) or a substring of its subject. */
  cert?: string;
  /** PEM/DER/PKCS#7 files with CA certificates to include as the chain. */
  chainFiles: string[];
}

const normSerial = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+(?=.)/, '');

/**
 * Throws the reason (module not found, not a PKCS#11 library...) when no module of the report
 * can be used at all: "no certificate" or "token not found" would hide it.
 */
export function requireUsableModule(report: ModuleReport[]): void {
  const failed = report.find((m) => !m.ok && m.error);
  if (failed?.error && report.every((m) => !m.ok)) throw new KysoError(errorCodeOf(failed.error.code), failed.error.params ?? { path: failed.path, module: failed.path });
}

/** Finds the token and certificate matching the choice in a list report. */
export function pickCertificate(report: ModuleReport[], choice: Pick<TokenChoice, 'token' | 'cert'>): { ref: TokenRef; fingerprint: string } {
  requireUsableModule(report);
  for (const m of report) {
    for (const t of m.tokens) {
      if (choice.token !== undefined && t.label !== choice.token) continue;
      const matching = t.certificates.filter((c) => {
        if (!c.hasPrivateKey) return false;
        if (choice.cert === undefined) return true;
        const serialMatch = /^[0-9a-fA-F:]+$/.test(choice.cert) && normSerial(c.serial) === normSerial(choice.cert);
        return serialMatch || c.subject.toLowerCase().includes(choice.cert.toLowerCase());
      });
      // Prefer a certificate valid now (tokens keep expired ones after renewal).
      const now = Date.now();
      const cert = matching.find((c) => Date.parse(c.notBefore) <= now && now <= Date.parse(c.notAfter)) ?? matching[0];
      if (cert) return { ref: { module: m.path, label: t.label }, fingerprint: cert.fingerprint };
    }
  }
  if (choice.token !== undefined && !report.some((m) => m.tokens.some((t) => t.label === choice.token))) throw new KysoError('tokenNotFound', { token: choice.token });
  throw new KysoError('tokenCertificateNotFound', { token: choice.token ?? '', keyId: choice.cert ?? '' });
}

/** An open token session: the signer, and close() to log out and stop the bridge. */
export interface TokenSession {
  signer: Signer;
  close(): Promise<void>;
}

/** Logs in once (one PIN for a whole batch) and returns a signer with its chain. */
export async function openTokenSession(choice: TokenChoice, env: NodeJS.ProcessEnv, pin: () => Promise<string | null>): Promise<TokenSession> {
  const tm = new TokenManager({ ...(choice.module ? { modules: [choice.module] } : {}), env });
  try {
    if (!tm.modulePaths.length) throw new KysoError('tokenNoModules');
    const report = await tm.list();
    const { ref, fingerprint } = pickCertificate(report, choice);
    // Before the PIN: a wrong chain file is reported without using the token.
    const extraChain = readCertFiles(choice.chainFiles);
    await tm.login(ref, await pin());
    const signer = withChain(await tm.getSigner(ref, { fingerprint }), extraChain);
    return {
      signer,
      close: async () => {
        await tm.logout(ref).catch(() => undefined);
        await tm.close();
      },
    };
  } catch (e) {
    await tm.close();
    throw e;
  }
}

export { KEEP_SESSION_SETTING, MAX_KEEP_MINUTES } from '../api/contract/token.js';

/** How long a login made with token:login (the PIN dialog) waits for the job it was made for. */
export const FRESH_LOGIN_MS = 5 * 60_000;

/** The kept-session minutes of a settings value: a whole number in [0, MAX_KEEP_MINUTES], else 0. */
export function keepMinutesOf(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? Math.min(value, MAX_KEEP_MINUTES) : 0;
}

/** A session kept after a job: the token, the one certificate it signs for, until when. */
export interface KeptSession {
  module: string;
  label: string;
  /** SHA-256 of the certificate (hex). */
  fingerprint: string;
  /** Who signs with it (certificate common name), for the UI. */
  subject: string;
  /** ISO time of the automatic logout. */
  expiresAt: string;
}

/** The token operations the session rules use. */
export type SessionTokens = Pick<TokenManager, 'freshLogin' | 'logout' | 'isLoggedIn' | 'resolve'>;

const CKF_LOGIN_REQUIRED = 0x4;
const tokenKey = (ref: TokenRef) => `${ref.module}\u0000${ref.label ?? ''}\u0000${ref.serial ?? ''}`;

/** The app's token sessions for signing jobs: who may sign without a PIN, and until when. */
export class SigningSessions {
  private kept: (KeptSession & { key: string; ref: TokenRef; timer: NodeJS.Timeout }) | null = null;
  private readonly fresh = new Map<string, { at: number; ref: TokenRef }>();
  private readonly running = new Map<string, { fingerprint: string; count: number }>();

  constructor(
    private readonly tokens: SessionTokens,
    /** Minutes to keep a session after a job (read at each job end: the setting). */
    private readonly keepMinutes: () => number,
    /** Called when the kept session starts or ends (the UI badge). */
    private readonly onChange: (kept: KeptSession | null) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The kept session, if any and not expired. */
  current(): KeptSession | null {
    const k = this.kept;
    if (!k || Date.parse(k.expiresAt) <= this.now()) return null;
    return { module: k.module, label: k.label, fingerprint: k.fingerprint, subject: k.subject, expiresAt: k.expiresAt };
  }

  /**
   * token:login: checks the PIN (any session open on the token is logged out first: a wrong
   * PIN never rides on someone else's session) and marks the login as made for the next job.
   */
  async login(ref: TokenRef, pin: string | null): Promise<void> {
    const key = tokenKey(ref);
    if (this.running.has(key)) throw new KysoError('tokenSessionBusy', { token: ref.label ?? ref.serial ?? '' });
    if (this.kept?.key === key) this.clearKept();
    this.fresh.delete(key);
    await this.tokens.freshLogin(ref, pin);
    this.fresh.set(key, { at: this.now(), ref });
    this.onChange(this.current());
  }

  /** Logins made with token:login that no job has used yet: the next job on that token needs no PIN. */
  ready(): Array<{ module: string; label: string; until: string }> {
    const now = this.now();
    return [...this.fresh.values()]
      .filter((f) => now - f.at <= FRESH_LOGIN_MS)
      .map((f) => ({ module: f.ref.module, label: f.ref.label ?? f.ref.serial ?? '', until: new Date(f.at + FRESH_LOGIN_MS).toISOString() }));
  }

  /** token:logout: ends any session of the token, kept or fresh. */
  async logout(ref: TokenRef): Promise<void> {
    const key = tokenKey(ref);
    this.fresh.delete(key);
    if (this.kept?.key === key) this.clearKept();
    await this.tokens.logout(ref);
  }

  /** "Log out now": ends the kept session at once. */
  async endNow(): Promise<void> {
    const k = this.kept;
    if (!k) return;
    this.clearKept();
    await this.tokens.logout(k.ref).catch(() => undefined);
  }

  /** The token went away (hot-plug): its sessions are gone with it. */
  forget(module: string, label: string): void {
    for (const key of [...this.fresh.keys()]) if (key.startsWith(`${module}\u0000${label}\u0000`)) this.fresh.delete(key);
    if (this.kept && this.kept.module === module && this.kept.label === label) this.clearKept();
  }

  /**
   * Before a signing job with the certificate `fingerprint`: resolves when the token may sign
   * for it now (a login made for this job, or the session kept for this very certificate);
   * otherwise closes whatever session is open and throws `tokenNotLoggedIn` (ask the PIN).
   */
  async begin(ref: TokenRef, fingerprint: string): Promise<void> {
    const key = tokenKey(ref);
    const run = this.running.get(key);
    if (run) {
      // A second job of the same person while the first runs shares its login; nobody else's does.
      if (run.fingerprint !== fingerprint) throw new KysoError('tokenSessionBusy', { token: ref.label ?? ref.serial ?? '' });
      run.count++;
      return;
    }
    const { token } = await this.tokens.resolve(ref);
    const hadFresh = this.fresh.has(key);
    try {
      if ((token.flags & CKF_LOGIN_REQUIRED) !== 0 && !(await this.usable(ref, key, fingerprint))) {
        await this.tokens.logout(ref).catch(() => undefined);
        throw new KysoError('tokenNotLoggedIn', { token: ref.label ?? ref.serial ?? '' });
      }
    } finally {
      // The login made for this job is used (or lapsed): the UI shows the next job asks the PIN.
      if (hadFresh) this.onChange(this.current());
    }
    this.running.set(key, { fingerprint, count: 1 });
  }

  /** After the job (signed, failed or cancelled): logs out, or keeps the session for its certificate. */
  async end(ref: TokenRef, fingerprint: string, subject: string): Promise<void> {
    const key = tokenKey(ref);
    const run = this.running.get(key);
    if (!run || --run.count > 0) return;
    this.running.delete(key);
    const minutes = this.keepMinutes();
    if (minutes <= 0) {
      await this.tokens.logout(ref).catch(() => undefined);
      return;
    }
    this.clearKept(false);
    const ms = minutes * 60_000;
    const timer = setTimeout(() => void this.endNow(), ms);
    timer.unref();
    this.kept = { key, ref, timer, module: ref.module, label: ref.label ?? ref.serial ?? '', fingerprint, subject, expiresAt: new Date(this.now() + ms).toISOString() };
    this.onChange(this.current());
  }

  /** True when a job for `fingerprint` may use the token's current login (consumes a fresh login). */
  private async usable(ref: TokenRef, key: string, fingerprint: string): Promise<boolean> {
    const kept = this.current();
    if (kept && this.kept?.key === key && kept.fingerprint === fingerprint) return this.tokens.isLoggedIn(ref);
    // A session kept for someone else (another certificate or token) ends here.
    if (this.kept) await this.endNow();
    const fresh = this.fresh.get(key);
    this.fresh.delete(key);
    return fresh !== undefined && this.now() - fresh.at <= FRESH_LOGIN_MS && (await this.tokens.isLoggedIn(ref));
  }

  private clearKept(notify = true): void {
    if (!this.kept) return;
    clearTimeout(this.kept.timer);
    this.kept = null;
    if (notify) this.onChange(null);
  }
}
