/**
 * The token bridge's public face: aggregates the PKCS#11 modules (one bridge process each),
 * lists tokens and certificates, logs in and out (idle logout so a batch needs one PIN),
 * hands out Signers and reports hot-plug events. See native/README.md.
 */
import { KysoError, isKysoError } from '../main/api/errors.js';
import { ekuNames } from '../main/pki/cert-extensions.js';
import { certView, type CertView } from '../main/pki/cert.js';
import { signerChain } from '../main/pki/chain.js';
import type { Signer } from '../main/pki/signer.js';
import { t } from '../resources/locales/index.js';
import { BridgeClient } from './bridge/client.js';
import type { ProcessLauncher } from './bridge/launcher.js';
import type { BridgeResult } from './bridge/protocol.js';
import { discoverModules } from './catalog.js';
import { decodeTokenFlags } from './flags.js';
import { tokenSigner } from './token-signer.js';
import type { CertSelector, CertificateInfo, ModuleReport, TokenChange, TokenInfo, TokenRef } from './types.js';

/** Options of a TokenManager. */
export interface TokenManagerOptions {
  /** Use exactly these module paths (no catalogue). */
  modules?: string[];
  /** Paths added to the catalogue's candidates. */
  extraPaths?: string[];
  /** Environment of the bridge processes (e.g. SOFTHSM2_CONF). */
  env?: NodeJS.ProcessEnv;
  launcher?: ProcessLauncher;
  callTimeoutMs?: number;
  loginTimeoutMs?: number;
  loadTimeoutMs?: number;
  /** Log out after this long without a signature (ms); default 10 minutes. */
  idleLogoutMs?: number;
  /** Slot-list polling interval for hot-plug events (ms); default 2 s. */
  pollIntervalMs?: number;
}

type RawSlot = BridgeResult<'slots'>['slots'][number];
interface Login {
  generation: number;
  timer: NodeJS.Timeout;
}

const slotKey = (module: string, slotId: string) => `${module}\u0000${slotId}`;

/** Aggregates PKCS#11 modules behind isolated bridge processes. */
export class TokenManager {
  private readonly clients = new Map<string, BridgeClient>();
  private readonly logins = new Map<string, Login>();
  /** withFreshLogin runs per token, chained. */
  private readonly exclusive = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(change: TokenChange) => void>();
  private readonly paths: string[];
  private readonly basePaths: string[];
  private userPaths: string[] = [];
  private known: Map<string, TokenChange> | undefined;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly opts: TokenManagerOptions = {}) {
    this.paths = opts.modules?.length ? [...new Set(opts.modules)] : discoverModules({ extraPaths: opts.extraPaths, env: opts.env }).map((c) => c.path);
    this.basePaths = [...this.paths];
  }

  /**
   * Module paths the user added (Settings): listed with the others. A path taken out again is
   * dropped and its bridge stopped, unless the catalogue or the options name it too.
   */
  async setUserModules(paths: string[]): Promise<void> {
    const next = [...new Set(paths.filter(Boolean))];
    for (const p of this.userPaths) {
      if (next.includes(p) || this.basePaths.includes(p)) continue;
      this.paths.splice(this.paths.indexOf(p), 1);
      const c = this.clients.get(p);
      this.clients.delete(p);
      this.forgetLogins(p);
      await c?.close();
    }
    for (const p of next) if (!this.paths.includes(p)) this.paths.push(p);
    this.userPaths = next;
  }

  /** Module paths this manager uses. */
  get modulePaths(): string[] {
    return [...this.paths];
  }

  /** The bridge client of a module (created on first use; a module outside the list is added). */
  client(module: string): BridgeClient {
    let c = this.clients.get(module);
    if (!c) {
      if (!this.paths.includes(module)) this.paths.push(module);
      c = new BridgeClient({
        modulePath: module,
        launcher: this.opts.launcher,
        env: this.opts.env ? { ...process.env, ...this.opts.env } : process.env,
        callTimeoutMs: this.opts.callTimeoutMs,
        loginTimeoutMs: this.opts.loginTimeoutMs,
        loadTimeoutMs: this.opts.loadTimeoutMs,
        onCrash: () => this.forgetLogins(module),
      });
      this.clients.set(module, c);
    }
    return c;
  }

  /** Lists every module with its tokens and certificates; a failing module is reported, not thrown. */
  async list(): Promise<ModuleReport[]> {
    return Promise.all(this.paths.map((p) => this.reportModule(p)));
  }

  private async reportModule(path: string): Promise<ModuleReport> {
    const c = this.client(path);
    try {
      const info = await c.moduleInfo();
      const { slots } = await c.call({ op: 'slots' });
      const tokens: TokenInfo[] = [];
      for (const s of slots) if (s.token) tokens.push(await this.describe(c, s));
      return { path, ok: true, manufacturer: info.manufacturer, description: info.description, libraryVersion: info.libraryVersion, tokens };
    } catch (e) {
      const code = isKysoError(e) ? e.code : 'tokenError';
      const params = { path, module: path, ...(isKysoError(e) ? e.params : { detail: String(e) }) };
      return { path, ok: false, error: { code, message: t('en', `error.${code}`, params), params }, tokens: [] };
    }
  }

  private async describe(c: BridgeClient, s: RawSlot): Promise<TokenInfo> {
    const tok = s.token!;
    const flags = decodeTokenFlags(tok.flags);
    const base = { slotId: s.slotId, slotDescription: s.description, label: tok.label, manufacturer: tok.manufacturer, model: tok.model, serial: tok.serial, flags, minPinLen: tok.minPinLen, maxPinLen: tok.maxPinLen };
    if (!flags.tokenInitialized) return { ...base, loggedIn: false, certificates: [] };
    const objects = await c.call({ op: 'objects', slotId: s.slotId });
    return { ...base, loggedIn: objects.loggedIn, certificates: certificatesOf(objects) };
  }

  /** Finds the slot of a token by label or serial; throws tokenNotFound. */
  async resolve(ref: TokenRef): Promise<{ client: BridgeClient; slotId: string; token: NonNullable<RawSlot['token']> }> {
    const c = this.client(ref.module);
    const { slots } = await c.call({ op: 'slots' });
    const s = slots.find((x) => x.token && (ref.label === undefined || x.token.label === ref.label) && (ref.serial === undefined || x.token.serial === ref.serial) && (ref.label !== undefined || ref.serial !== undefined || (x.token.flags & 0x400) !== 0));
    if (!s?.token) throw new KysoError('tokenNotFound', { token: ref.label ?? ref.serial ?? '', module: ref.module });
    return { client: c, slotId: s.slotId, token: s.token };
  }

  /**
   * Logs in with the PIN (null: PIN pad). The PIN goes to the bridge once and is not kept:
   * a wrong PIN throws with the token's count-low / final-try state and is never retried.
   */
  async login(ref: TokenRef, pin: string | null): Promise<void> {
    const { client, slotId } = await this.resolve(ref);
    await client.call({ op: 'login', slotId, pin });
    this.touch(ref.module, slotId, client.generation);
  }

  /**
   * Logs in with the PIN, always checking it: a session already open on the token (someone
   * else's, a kept one) is logged out first. A plain login() on a logged-in token succeeds
   * without looking at the PIN, so whoever may not own the session must come through here.
   */
  async freshLogin(ref: TokenRef, pin: string | null): Promise<void> {
    await this.logout(ref);
    await this.login(ref, pin);
  }

  /**
   * Runs `fn` in a login of its own and logs out when it ends, whatever happens: the API for
   * callers that serve several people (the local signing service: one login per request,
   * never another requester's session). Runs for the same token wait for each other, so one
   * request's logout cannot cut another's signature short. A wrong PIN throws before `fn`.
   */
  async withFreshLogin<T>(ref: TokenRef, pin: string | null, fn: () => Promise<T>): Promise<T> {
    const key = `${ref.module}\u0000${ref.label ?? ''}\u0000${ref.serial ?? ''}`;
    const before = this.exclusive.get(key) ?? Promise.resolve();
    const run = before.then(async () => {
      await this.freshLogin(ref, pin);
      try {
        return await fn();
      } finally {
        await this.logout(ref).catch(() => undefined);
      }
    });
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.exclusive.set(key, settled);
    void settled.then(() => {
      if (this.exclusive.get(key) === settled) this.exclusive.delete(key);
    });
    return run;
  }

  /** Logs out explicitly. */
  async logout(ref: TokenRef): Promise<void> {
    const { client, slotId } = await this.resolve(ref);
    this.clearLogin(ref.module, slotId);
    await client.call({ op: 'logout', slotId });
  }

  /** True when this manager holds a live login for the token. */
  async isLoggedIn(ref: TokenRef): Promise<boolean> {
    const { client, slotId } = await this.resolve(ref);
    const l = this.logins.get(slotKey(ref.module, slotId));
    return l !== undefined && l.generation === client.generation;
  }

  /** A Signer for a certificate on the token whose private key is there (login first). */
  async getSigner(ref: TokenRef, selector: CertSelector = {}): Promise<Signer> {
    const { client, slotId } = await this.resolve(ref);
    const objects = await client.call({ op: 'objects', slotId });
    const certs = certificatesOf(objects);
    const cert = certs.find((c) => (selector.keyId === undefined || c.keyId === selector.keyId) && (selector.fingerprint === undefined || c.fingerprint === selector.fingerprint) && (selector.keyId !== undefined || selector.fingerprint !== undefined || c.hasPrivateKey));
    if (!cert) throw new KysoError(certs.length && !selector.keyId && !selector.fingerprint ? 'tokenNoPrivateKey' : 'tokenCertificateNotFound', { token: ref.label ?? ref.serial ?? '', keyId: selector.keyId ?? '' });
    if (!cert.hasPrivateKey) throw new KysoError('tokenNoPrivateKey', { token: ref.label ?? ref.serial ?? '', keyId: cert.keyId });
    if (cert.keyType === 'other') throw new KysoError('tokenKeyTypeUnsupported');
    const der = objects.certificates.find((c) => c.id === cert.keyId && certView(Buffer.from(c.der, 'base64')).fingerprint === cert.fingerprint)!.der;
    // Issuer certificates stored on the token (often without CKA_ID) become the chain.
    const others = objects.certificates.map((c) => Buffer.from(c.der, 'base64')).filter((d) => d.toString('base64') !== der);
    return this.keySigner(ref, cert.keyId, cert.keyType, Buffer.from(der, 'base64'), signerChain(Buffer.from(der, 'base64'), others));
  }

  /**
   * A Signer for a key by CKA_ID, with or without a certificate (a CSR is signed before the
   * certificate exists). Login first.
   */
  async keySigner(ref: TokenRef, keyId: string, keyType: 'RSA' | 'EC', certificate: Uint8Array = new Uint8Array(), chain: Uint8Array[] = []): Promise<Signer> {
    const { client, slotId } = await this.resolve(ref);
    const { mechanisms } = await client.call({ op: 'mechanisms', slotId });
    const generation = client.generation;
    return tokenSigner({
      certificate,
      chain,
      keyType,
      mechanisms,
      rawSign: async (plan) => {
        // After a bridge restart the login is gone: refuse rather than replay a PIN.
        if (client.generation !== generation && !this.logins.has(slotKey(ref.module, slotId))) throw new KysoError('tokenNotLoggedIn', { token: ref.label ?? '' });
        const r = await client.call({ op: 'sign', slotId, keyId, mechanism: plan.mechanism, pss: plan.pss, data: plan.data.toString('base64') });
        this.touch(ref.module, slotId, client.generation, false);
        return Buffer.from(r.signature, 'base64');
      },
    });
  }

  /** Subscribes to hot-plug events; returns the unsubscribe function. */
  onChange(listener: (change: TokenChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts polling the slot lists (first poll sets the baseline silently). */
  async startWatching(): Promise<void> {
    if (this.poller) return;
    await this.poll();
    this.poller = setInterval(() => void this.poll(), this.opts.pollIntervalMs ?? 2000);
    this.poller.unref();
  }

  /** Stops polling. */
  stopWatching(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  /** Polls once and emits inserted/removed events against the previous poll. */
  async poll(): Promise<TokenChange[]> {
    if (this.polling) return [];
    this.polling = true;
    try {
      const now = new Map<string, TokenChange>();
      const failed = new Set<string>();
      await Promise.all(
        this.paths.map(async (module) => {
          try {
            const { slots } = await this.client(module).call({ op: 'slots' });
            for (const s of slots) {
              if (!s.token) continue;
              const ev: TokenChange = { kind: 'inserted', module, slotId: s.slotId, label: s.token.label, serial: s.token.serial };
              now.set(`${slotKey(module, s.slotId)}\u0000${s.token.serial}\u0000${s.token.label}`, ev);
            }
          } catch {
            failed.add(module);
          }
        }),
      );
      const before = this.known;
      // A module whose bridge failed this round keeps its previous tokens (no false removals).
      if (before) for (const [k, v] of before) if (failed.has(v.module)) now.set(k, v);
      this.known = now;
      if (!before) return [];
      const changes: TokenChange[] = [];
      for (const [k, v] of before) if (!now.has(k)) changes.push({ ...v, kind: 'removed' });
      for (const [k, v] of now) if (!before.has(k)) changes.push({ ...v, kind: 'inserted' });
      for (const ch of changes) {
        if (ch.kind === 'removed') this.clearLogin(ch.module, ch.slotId);
        for (const l of this.listeners) l(ch);
      }
      return changes;
    } finally {
      this.polling = false;
    }
  }

  /** Stops polling, timers and every bridge process. */
  async close(): Promise<void> {
    this.stopWatching();
    for (const l of this.logins.values()) clearTimeout(l.timer);
    this.logins.clear();
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }

  private touch(module: string, slotId: string, generation: number, create = true): void {
    const key = slotKey(module, slotId);
    const old = this.logins.get(key);
    if (!old && !create) return;
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => {
      this.logins.delete(key);
      void this.clients.get(module)?.call({ op: 'logout', slotId }).catch(() => undefined);
    }, this.opts.idleLogoutMs ?? 600_000);
    timer.unref();
    this.logins.set(key, { generation, timer });
  }

  private clearLogin(module: string, slotId: string): void {
    const key = slotKey(module, slotId);
    const l = this.logins.get(key);
    if (l) clearTimeout(l.timer);
    this.logins.delete(key);
  }

  private forgetLogins(module: string): void {
    for (const [k, l] of this.logins) {
      if (k.startsWith(module + '\u0000')) {
        clearTimeout(l.timer);
        this.logins.delete(k);
      }
    }
  }
}

/** True when the certificate expires within `days` days of `now` (or has expired). */
export function expiresWithin(notAfter: Date, days: number, now = new Date()): boolean {
  return notAfter.getTime() - now.getTime() < days * 86_400_000;
}

/** A token certificate as the contract lists it: the certificate view plus its key binding. */
function certificateInfo(v: CertView, binding: Pick<CertificateInfo, 'keyId' | 'label' | 'hasPrivateKey'>): CertificateInfo {
  return {
    subject: v.subject,
    issuer: v.issuer,
    serial: v.serial,
    notBefore: v.notBefore.toISOString(),
    notAfter: v.notAfter.toISOString(),
    keyUsage: v.keyUsage ?? [],
    extendedKeyUsage: v.extKeyUsage.map((u) => ekuNames[u] ?? u),
    keyType: v.keyType,
    fingerprint: v.fingerprint,
    ...binding,
    expiresSoon: expiresWithin(v.notAfter, 30),
  };
}

/** Parses the certificates of an objects listing and binds them to keys by CKA_ID. */
export function certificatesOf(objects: BridgeResult<'objects'>): CertificateInfo[] {
  const priv = new Set(objects.privateKeys.map((k) => k.id));
  const pub = new Set(objects.publicKeys.map((k) => k.id));
  const out: CertificateInfo[] = [];
  for (const c of objects.certificates) {
    let v: CertView;
    try {
      v = certView(Buffer.from(c.der, 'base64'));
    } catch {
      continue; // an unparsable certificate object is skipped rather than failing the listing
    }
    // Private keys are usually invisible before login; a public key with the same CKA_ID shows the pair is there.
    const hasPrivateKey = c.id !== '' && (priv.has(c.id) || (!objects.loggedIn && pub.has(c.id)));
    out.push(certificateInfo(v, { keyId: c.id, label: c.label, hasPrivateKey }));
  }
  return out;
}
