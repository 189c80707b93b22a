/** The cryptographic checks of a document timestamp (RFC 3161 token over the byte ranges). */
import { hashRanges } from '../byte-range.js';
import { checkTimestamp, type TimestampCheck } from '../timestamp.js';
import type { CheckName, SubIndication } from '../types.js';
import type { CryptoOutcome, SignatureRun } from './context.js';

const TS_SUB: Record<NonNullable<TimestampCheck['reason']>, SubIndication> = {
  format: 'FORMAT_FAILURE',
  imprint: 'HASH_FAILURE',
  digest: 'HASH_FAILURE',
  signature: 'SIG_CRYPTO_FAILURE',
  noSigner: 'NO_SIGNING_CERTIFICATE_FOUND',
  essCert: 'NO_SIGNING_CERTIFICATE_FOUND',
};

/** Records a failed timestamp token check under `name` with the indication it implies. */
export function timestampFailure(run: SignatureRun, name: CheckName, reason: NonNullable<TimestampCheck['reason']>): void {
  const sub = TS_SUB[reason];
  run.checks.add(name, 'fail', `timestamp_${reason}`, {}, { indication: sub === 'NO_SIGNING_CERTIFICATE_FOUND' ? 'INDETERMINATE' : 'TOTAL_FAILED', sub });
}

/** Runs the token checks; undefined when the token is unreadable. */
export async function docTimestampStep(run: SignatureRun): Promise<CryptoOutcome | undefined> {
  const { checks } = run;
  const digests = await hashRanges(run.env.final.source, run.range);
  const ts = checkTimestamp(run.contents, (h) => {
    const d = digests.get(h);
    if (!d) throw new Error(`unsupported digest ${h}`);
    return d;
  });
  if (ts.reason === 'format') {
    checks.add('cmsFormat', 'fail', 'timestampUnreadable', {}, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
    return undefined;
  }
  checks.add('cmsFormat', 'pass', 'timestampParsed');
  if (!ts.ok) {
    timestampFailure(run, ts.reason === 'imprint' || ts.reason === 'digest' ? 'messageDigest' : 'signature', ts.reason!);
  } else {
    checks.add('messageDigest', 'pass', 'timestampImprintOk');
    checks.add('signature', 'pass', 'timestampSignatureOk');
  }
  return { signer: ts.tsa, pool: ts.certs, ts };
}
