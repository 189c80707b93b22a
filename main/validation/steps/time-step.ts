/**
 * Time of a signature: a signature timestamp proves it only when the token verified and its
 * TSA chains to an anchor; otherwise the signer's claimed /M is used, with a warning.
 */
import { certificateChecks } from '../cert-checks.js';
import { CheckList } from '../checks.js';
import type { CryptoOutcome, SignatureRun } from './context.js';

/** The signature timestamp's time when the token is valid and trusted (a check records which). */
export async function trustedTimestamp(run: SignatureRun, crypto: CryptoOutcome): Promise<Date | undefined> {
  const { ts } = crypto;
  const { env, checks } = run;
  if (!ts?.ok || !ts.tsa || run.found.kind !== 'signature') return undefined;
  const tsChecks = new CheckList();
  const at = ts.genTime!;
  const tsOut = await certificateChecks({ signer: ts.tsa, pool: [...ts.certs, ...env.dss.certs], anchors: env.anchors, ocsps: env.dss.ocsps, crls: env.dss.crls, offline: true, signingTime: at, poe: true, poeTime: at, now: at }, tsChecks, env.certs);
  if (tsOut.path && tsChecks.indication().indication !== 'TOTAL_FAILED') {
    checks.add('timestamp', ts.tsaPurposeOk ? 'pass' : 'warn', 'timestampOk', { time: at.toISOString(), tsa: ts.tsa.commonName });
    return at;
  }
  checks.add('timestamp', 'warn', 'timestampUntrusted', { tsa: ts.tsa.commonName });
  return undefined;
}

/** Chooses the signing time (document timestamp, trusted signature timestamp, /M, or now). */
export function signingTimeStep(run: SignatureRun, crypto: CryptoOutcome, trusted: Date | undefined, claimed: Date | undefined): Date {
  const { result, checks } = run;
  let time: Date;
  if (run.found.kind === 'documentTimestamp' && crypto.ts?.genTime) {
    time = crypto.ts.genTime;
    result.timeSource = 'timestamp';
    checks.add('signingTime', 'pass', 'timeFromTimestamp', { time: time.toISOString() });
  } else if (trusted) {
    time = trusted;
    result.timeSource = 'timestamp';
    checks.add('signingTime', 'pass', 'timeFromTimestamp', { time: time.toISOString() });
  } else if (claimed) {
    time = claimed;
    result.timeSource = 'claimed';
    checks.add('signingTime', 'warn', 'timeClaimed', { time: claimed.toISOString() });
  } else {
    time = run.env.now;
    checks.add('signingTime', 'warn', 'timeMissing');
  }
  result.signingTime = result.timeSource === 'none' ? null : time.toISOString();
  return time;
}
