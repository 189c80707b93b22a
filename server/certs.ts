/**
 * Certificate acceptance for the inbox server: validity now, a path to the server's trust
 * anchors (main/pki/chain.ts) and revocation of every non-anchor link (main/pki/revocation.ts:
 * configured CRL files first, then OCSP/CRL from the certificate's URLs). Good answers are
 * cached briefly so a busy sender does not cost one OCSP round trip per package.
 */
import { createHash } from 'node:crypto';
import { KysoError } from '../main/api/errors.js';
import { buildChain } from '../main/pki/chain.js';
import { certView, type CertView } from '../main/pki/cert.js';
import { checkRevocation } from '../main/pki/revocation.js';

/** What the server trusts and how strictly it checks revocation. */
export interface TrustConfig {
  anchors: Buffer[];
  /** Locally configured CRLs (DER), consulted before going online. */
  crls: Buffer[];
  /** No network fetches (then revocation must come from the configured CRLs). */
  offline: boolean;
  /** 'require': unknown revocation status refuses the certificate (default). */
  revocation: 'require' | 'best-effort';
}

const CACHE_MS = 5 * 60_000;

/** Checks certificates against a TrustConfig, with a short cache of good results. */
export class CertChecker {
  /** sha256 of a good certificate's DER -> until when that result stands (ms), and the issuers fetched for it. */
  private readonly good = new Map<string, { until: number; fetched: Buffer[] }>();

  constructor(private trust: TrustConfig) {}

  /**
   * New anchors and CRLs (files changed on disk): every cached result is dropped, so the next
   * check of each certificate uses them.
   */
  reload(trust: Pick<TrustConfig, 'anchors' | 'crls'>): void {
    this.trust = { ...this.trust, ...trust };
    this.good.clear();
  }

  /** Drops the cached result of one certificate (another instance found it no longer good). */
  forget(certSha256: string): void {
    this.good.delete(certSha256);
  }

  /** Parses a certificate or refuses it as untrusted. */
  view(der: Uint8Array): CertView {
    try {
      return certView(der);
    } catch {
      throw new KysoError('exCertUntrusted', { reason: 'unreadable certificate' });
    }
  }

  /**
   * Throws exCertExpired / exCertUntrusted / exCertRevoked / exCertRevocationUnknown. A good
   * result is cached (at most CACHE_MS, never past the certificate's end of validity): every
   * authenticated request re-checks its session's certificate through here. Returns the CA
   * certificates fetched through AIA (also on a cached result), for the caller to keep with
   * the session: its re-checks then build the path without the CA's web server, so a slow or
   * down AIA URL cannot log users out, and a CA no longer trusted still ends their sessions.
   */
  async check(der: Uint8Array, pool: Uint8Array[] = [], now = new Date()): Promise<Buffer[]> {
    const key = createHash('sha256').update(der).digest('hex');
    const cached = this.good.get(key);
    if (cached && cached.until > now.getTime()) return cached.fetched;
    const leaf = this.view(der);
    const inValidity = (c: CertView) => now >= new Date(c.x.validFrom) && now <= new Date(c.x.validTo);
    if (!inValidity(leaf)) throw new KysoError('exCertExpired');
    const { path, fetched } = await buildChain({ leaf, pool: pool.map((p) => Buffer.from(p)), anchors: this.trust.anchors, offline: this.trust.offline });
    if (!path) throw new KysoError('exCertUntrusted', { reason: 'no path to a trusted root' });
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i]!;
      const issuer = path[i + 1]!;
      if (!inValidity(cert)) throw new KysoError('exCertExpired');
      const r = await checkRevocation({ cert, issuer, ocsps: [], crls: this.trust.crls, offline: this.trust.offline });
      if (r.status === 'revoked') throw new KysoError('exCertRevoked');
      if (r.status === 'unknown' && this.trust.revocation === 'require') throw new KysoError('exCertRevocationUnknown');
    }
    this.good.set(key, { until: Math.min(now.getTime() + CACHE_MS, new Date(leaf.x.validTo).getTime()), fetched });
    return fetched;
  }
}
