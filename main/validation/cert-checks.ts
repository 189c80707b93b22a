/**
 * Certificate-side checks of a signature or timestamp: path to a trust anchor, validity at
 * the signing time (with or without proof of existence) and revocation of every non-anchor
 * certificate of the path.
 */
import { createHash } from 'node:crypto';
import { buildChain, type ChainInput, type ChainResult } from '../pki/chain.js';
import type { CertView } from '../pki/cert.js';
import { checkRevocation, type RevocationInput, type RevocationStatus } from '../pki/revocation.js';
import type { CheckList } from './checks.js';
import type { SignatureResult } from './types.js';

/** Inputs of the certificate checks. */
export interface CertCheckInput {
  signer: CertView;
  pool: Buffer[];
  anchors: Buffer[];
  ocsps: Buffer[];
  crls: Buffer[];
  offline: boolean;
  /** Time the signature was made (trusted timestamp or claimed). */
  signingTime: Date;
  /** True when signingTime comes from a trusted timestamp (proof of existence). */
  poe: boolean;
  /** Earliest trusted proof of existence of the signature, if any. */
  poeTime?: Date;
  now: Date;
}

/**
 * Paths and revocation statuses shared by the signatures of ONE document (a document's 25
 * signatures are mostly by the same few signers: the same path was built and the same DSS
 * responses parsed and verified 25 times). Keyed by content: the leaf, every pool and anchor
 * certificate, the embedded evidence, online or not; results are a function of those alone
 * within one validation (its time is fixed, and an online answer, or a failed fetch, is reused
 * only inside it). Never kept across documents: a new document gets a new memo.
 */
export class CertMemo {
  private readonly chains = new Map<string, Promise<ChainResult>>();
  private readonly statuses = new Map<string, Promise<RevocationStatus>>();
  private readonly ids = new WeakMap<Buffer, string>();

  /** A short identity of these bytes (their SHA-256, computed once per buffer). */
  private id(b: Buffer): string {
    let v = this.ids.get(b);
    if (!v) {
      v = createHash('sha256').update(b).digest('base64');
      this.ids.set(b, v);
    }
    return v;
  }

  private key(parts: Array<Buffer[] | string>): string {
    return parts.map((p) => (typeof p === 'string' ? p : p.map((b) => this.id(b)).sort().join(','))).join('|');
  }

  /** buildChain, once per leaf, pool, anchors and mode. */
  chain(input: ChainInput): Promise<ChainResult> {
    const k = this.key([input.leaf.fingerprint, input.pool, input.anchors, String(input.offline)]);
    let p = this.chains.get(k);
    if (!p) this.chains.set(k, (p = buildChain(input)));
    return p;
  }

  /** checkRevocation, once per certificate, issuer, evidence and mode. */
  revocation(input: RevocationInput): Promise<RevocationStatus> {
    const k = this.key([input.cert.fingerprint, input.issuer.fingerprint, input.ocsps, input.crls, String(input.offline)]);
    let p = this.statuses.get(k);
    if (!p) this.statuses.set(k, (p = checkRevocation(input)));
    return p;
  }
}

/** What the caller reports beyond the checks. */
export interface CertCheckOutput {
  path: CertView[] | null;
  revocation: SignatureResult['revocation'];
  leafRevocation?: RevocationStatus;
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

/** Runs chain, validity and revocation checks, recording them in `checks` (`memo`: the document's). */
export async function certificateChecks(input: CertCheckInput, checks: CheckList, memo?: CertMemo): Promise<CertCheckOutput> {
  const { signer, signingTime } = input;
  const chainInput = { leaf: signer, pool: input.pool, anchors: input.anchors, offline: input.offline };
  const chain = await (memo ? memo.chain(chainInput) : buildChain(chainInput));
  const path = chain.path;
  if (!path) {
    checks.add('chain', 'fail', 'noChain', { issuer: signer.issuerCommonName }, { indication: 'INDETERMINATE', sub: 'NO_CERTIFICATE_CHAIN_FOUND' });
  } else {
    const root = path[path.length - 1]!;
    checks.add('chain', 'pass', 'chainOk', { length: path.length, root: root.commonName });
  }
  // Validity of every certificate of the path (or just the signer) at the signing time.
  const certs = path ?? [signer];
  let validityFailed = false;
  for (const c of certs) {
    const who = c === signer ? 'signer' : c.commonName;
    if (signingTime > c.notAfter) {
      validityFailed = true;
      checks.add('validityAtSigningTime', 'fail', 'certExpired', { cert: who, notAfter: c.notAfter.toISOString() }, { indication: 'TOTAL_FAILED', sub: 'EXPIRED' });
    } else if (signingTime < c.notBefore) {
      validityFailed = true;
      checks.add('validityAtSigningTime', 'fail', 'certNotYetValid', { cert: who, notBefore: c.notBefore.toISOString() }, { indication: 'TOTAL_FAILED', sub: 'NOT_YET_VALID' });
    }
  }
  if (!validityFailed) {
    const poe = input.poeTime;
    const expiredNow = certs.find((c) => input.now > c.notAfter);
    if (expiredNow && !(poe && poe <= expiredNow.notAfter)) {
      checks.add('validityAtSigningTime', 'fail', 'expiredNoPoe', { cert: expiredNow.commonName }, { indication: 'INDETERMINATE', sub: 'OUT_OF_BOUNDS_NO_POE' });
    } else {
      checks.add('validityAtSigningTime', 'pass', 'validAtSigningTime', { time: signingTime.toISOString() });
    }
  }
  // Revocation of every certificate below the anchor.
  let revocation: SignatureResult['revocation'] = { status: 'notChecked', source: 'none', time: null, revokedAt: null };
  let leafRevocation: RevocationStatus | undefined;
  if (path) {
    const statuses: Array<{ cert: CertView; s: RevocationStatus }> = [];
    for (let i = 0; i + 1 < path.length; i++) {
      const revInput = { cert: path[i]!, issuer: path[i + 1]!, ocsps: input.ocsps, crls: input.crls, offline: input.offline };
      const s = await (memo ? memo.revocation(revInput) : checkRevocation(revInput));
      statuses.push({ cert: path[i]!, s });
    }
    leafRevocation = statuses[0]?.s;
    const revoked = statuses.find((x) => x.s.status === 'revoked');
    const unknown = statuses.find((x) => x.s.status === 'unknown');
    const main = revoked ?? unknown ?? statuses[0];
    if (main) revocation = { status: main.s.status, source: main.s.source, time: iso(main.s.issuedAt), revokedAt: iso(main.s.revocationTime) };
    else revocation = { status: 'good', source: 'anchor', time: null, revokedAt: null };
    if (revoked) {
      const at = revoked.s.revocationTime ?? new Date(0);
      const params = { cert: revoked.cert.commonName, at: at.toISOString() };
      if (at <= signingTime) checks.add('revocation', 'fail', 'revoked', params, { indication: 'TOTAL_FAILED', sub: 'REVOKED' });
      else if (input.poe) checks.add('revocation', 'warn', 'revokedAfterSigning', params);
      else checks.add('revocation', 'fail', 'revokedNoPoe', params, { indication: 'INDETERMINATE', sub: 'REVOKED_NO_POE' });
    } else if (unknown) {
      checks.add('revocation', 'warn', 'revocationUnknown', { cert: unknown.cert.commonName }, { indication: 'INDETERMINATE', sub: 'TRY_LATER' });
    } else {
      const stale = statuses.find((x) => x.s.issuedAt && x.s.issuedAt < signingTime && x.s.source.startsWith('dss'));
      if (stale) checks.add('revocation', 'warn', 'revocationNotFresh', { cert: stale.cert.commonName });
      else checks.add('revocation', 'pass', 'notRevoked', { source: revocation.source, time: revocation.time ?? '' });
    }
  }
  return { path, revocation, leafRevocation };
}
