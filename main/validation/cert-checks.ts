/**
 * Certificate-side checks of a signature or timestamp: path to a trust anchor, validity at
 * the signing time (with or without proof of existence) and revocation of every non-anchor
 * certificate of the path.
 */
import { buildChain } from '../pki/chain.js';
import type { CertView } from '../pki/cert.js';
import { checkRevocation, type RevocationStatus } from '../pki/revocation.js';
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

/** What the caller reports beyond the checks. */
export interface CertCheckOutput {
  path: CertView[] | null;
  revocation: SignatureResult['revocation'];
  leafRevocation?: RevocationStatus;
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

/** Runs chain, validity and revocation checks, recording them in `checks`. */
export async function certificateChecks(input: CertCheckInput, checks: CheckList): Promise<CertCheckOutput> {
  const { signer, signingTime } = input;
  const chain = await buildChain({ leaf: signer, pool: input.pool, anchors: input.anchors, offline: input.offline });
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
      const s = await checkRevocation({ cert: path[i]!, issuer: path[i + 1]!, ocsps: input.ocsps, crls: input.crls, offline: input.offline });
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
