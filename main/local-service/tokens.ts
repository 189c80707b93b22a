/**
 * The service's access to tokens: the same TokenManager as the rest of Kyso, but an instance
 * of its own (own bridge processes), so a web page's request never rides on a login the user
 * made in the app's screens. Every signing request logs in with the PIN the user just typed
 * and logs out when its signatures are done (TokenManager.withFreshLogin: one login per
 * request, requests for one token one after the other).
 */
import { KysoError } from '../api/errors.js';
import { buildChain } from '../pki/chain.js';
import { certView } from '../pki/cert.js';
import type { Signer } from '../pki/signer.js';
import { withChain } from '../services/sign.js';
import { pickCertificate, requireUsableModule } from '../services/token-session.js';
import type { TokenManager } from '../../native/token-manager.js';
import type { TokenRef } from '../../native/types.js';
import type { TokenPick } from './config.js';

/** A certificate the user may sign with, as the consent dialog lists it. */
export interface CertChoice {
  module: string;
  token: string;
  fingerprint: string;
  serial: string;
  subject: string;
  commonName: string;
  organization: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Within its validity period now. */
  valid: boolean;
  /** The token has its own PIN pad (no PIN is typed in Kyso). */
  pinPad: boolean;
}

/** An open signing session: the signer, and close() to log out. */
export interface ServiceSession {
  signer: Signer;
  cert: CertChoice;
  close(): Promise<void>;
}

const attr = (subject: string, key: string) => new RegExp(`(?:^|,)\\s*${key}=((?:\\\\,|[^,])*)`).exec(subject)?.[1]?.replace(/\\,/g, ',').trim() ?? '';

/** Tokens for the service. */
export class ServiceTokens {
  /** CA certificates found for a signer (by its fingerprint): fetched through AIA once per run. */
  private readonly chains = new Map<string, Uint8Array[]>();

  constructor(
    private readonly manager: TokenManager,
    private readonly pick: TokenPick,
    /** CA certificates to complete the signer's chain (the admin trust store). */
    private readonly chainCandidates: () => Uint8Array[] = () => [],
  ) {}

  /** Certificates with a private key on the inserted tokens, and the one to propose. */
  async candidates(): Promise<{ list: CertChoice[]; preferred: string }> {
    const report = await this.manager.list();
    requireUsableModule(report);
    const now = Date.now();
    const list: CertChoice[] = [];
    for (const m of report) {
      if (this.pick.module && m.path !== this.pick.module) continue;
      for (const t of m.tokens) {
        for (const c of t.certificates) {
          if (!c.hasPrivateKey) continue;
          list.push({
            module: m.path, token: t.label, fingerprint: c.fingerprint, serial: c.serial, subject: c.subject,
            commonName: attr(c.subject, 'CN') || c.subject, organization: attr(c.subject, 'O'), issuer: attr(c.issuer, 'CN') || c.issuer,
            notBefore: c.notBefore, notAfter: c.notAfter, valid: Date.parse(c.notBefore) <= now && now <= Date.parse(c.notAfter),
            pinPad: t.flags.protectedAuthPath,
          });
        }
      }
    }
    const chosen = pickCertificate(this.pick.module ? report.filter((m) => m.path === this.pick.module) : report, { ...(this.pick.token ? { token: this.pick.token } : {}), ...(this.pick.cert ? { cert: this.pick.cert } : {}) });
    return { list, preferred: chosen.fingerprint };
  }

  /**
   * Logs in fresh with `pin` (null: the token's PIN pad) through the token manager's
   * one-login-per-request API and returns a signer for the chosen certificate; the login
   * lasts until close(). Another request for the same token waits until then. A wrong PIN
   * throws (nothing stays open); the caller may ask again.
   */
  async open(fingerprint: string, pin: string | null): Promise<ServiceSession> {
    const { list } = await this.candidates();
    const cert = list.find((c) => c.fingerprint === fingerprint);
    if (!cert) throw new KysoError('tokenCertificateNotFound', { token: '', keyId: fingerprint.slice(0, 16) });
    const ref: TokenRef = { module: cert.module, label: cert.token };
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    return new Promise<ServiceSession>((resolve, reject) => {
      const run = this.manager.withFreshLogin(ref, pin, async () => {
        const base = await this.manager.getSigner(ref, { fingerprint });
        const signer = withChain(base, await this.chainFor(fingerprint, base));
        resolve({
          signer,
          cert,
          close: async () => {
            release();
            await run.catch(() => undefined);
          },
        });
        // The login stays while the request signs; close() ends it (and logs out).
        await released;
      });
      // A wrong PIN, a token gone, a certificate without its key: before resolve, so it rejects.
      run.catch(reject);
    });
  }

  /**
   * CA certificates for the signer's chain: the token's own, the admin trust store's, and the
   * issuers its AIA names (so viewers that know only the root, like pdfsig or Adobe, can build
   * the path without going online).
   */
  private async chainFor(fingerprint: string, signer: Signer): Promise<Uint8Array[]> {
    let extra = this.chains.get(fingerprint);
    if (!extra) {
      const anchors = this.chainCandidates().map((c) => Buffer.from(c));
      const built = await buildChain({ leaf: certView(signer.certificate), pool: signer.chain.map((c) => Buffer.from(c)), anchors, offline: false });
      extra = [...anchors, ...built.fetched];
      this.chains.set(fingerprint, extra);
    }
    return extra;
  }

  /** The certificate's DER and details for GetCertInfo (no login). */
  async certificate(): Promise<{ cert: CertChoice; der: Buffer }> {
    const { list, preferred } = await this.candidates();
    const cert = list.find((c) => c.fingerprint === preferred)!;
    const ref = { module: cert.module, label: cert.token };
    const { client, slotId } = await this.manager.resolve(ref);
    const objects = await client.call({ op: 'objects', slotId });
    for (const o of objects.certificates) {
      const der = Buffer.from(o.der, 'base64');
      if (certView(der).fingerprint === cert.fingerprint) return { cert, der };
    }
    throw new KysoError('tokenCertificateNotFound', { token: cert.token, keyId: '' });
  }

  /** Stops the bridge processes. */
  async close(): Promise<void> {
    await this.manager.close();
  }
}
