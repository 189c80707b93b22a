/** Certificate checks of the signer (chain, validity, revocation) and the PAdES level reached. */
import { certificateChecks } from '../cert-checks.js';
import type { CertView } from '../../pki/cert.js';
import type { SignatureRun } from './context.js';

/** Runs the certificate checks and sets revocation, issuing CA and level on the result. */
export async function certStep(run: SignatureRun, signer: CertView, pool: Buffer[], signingTime: Date, trustedTs: Date | undefined): Promise<void> {
  const { env, result, found } = run;
  const covering = env.docTimestamps.filter((d) => d.signedEnd > run.signedEnd).map((d) => d.time);
  const poeCandidates = [trustedTs, ...covering].filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime());
  const cert = await certificateChecks({
    signer,
    pool: [...pool, ...env.dss.certs],
    anchors: env.anchors,
    ocsps: env.dss.ocsps,
    crls: env.dss.crls,
    offline: env.offline,
    signingTime,
    poe: result.timeSource === 'timestamp',
    poeTime: found.kind === 'documentTimestamp' ? signingTime : poeCandidates[0],
    now: env.now,
  }, run.checks);
  result.revocation = cert.revocation;
  if (cert.path && cert.path.length > 1) result.issuingCa = cert.path[1]!.commonName;
  if (found.kind !== 'signature' || found.subFilter !== 'ETSI.CAdES.detached') return;
  result.level = trustedTs ? 'B-T' : 'B-B';
  const dssEnd = env.dssEnd;
  const lt = result.level === 'B-T' && cert.leafRevocation?.source.startsWith('dss') && dssEnd !== undefined && dssEnd > run.signedEnd;
  if (lt) result.level = env.docTimestamps.some((d) => d.signedEnd > dssEnd) ? 'B-LTA' : 'B-LT';
}
