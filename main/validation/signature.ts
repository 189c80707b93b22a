/**
 * Validation of one PDF signature or document timestamp, step by step (steps/): byte range,
 * modification analysis, cryptographic checks, time, certificates, then the indication.
 */
import { checkByteRange } from './byte-range.js';
import { CheckList, parsePdfDate } from './checks.js';
import type { FoundSignature } from './fields.js';
import { certStep } from './steps/cert-step.js';
import { cmsStep } from './steps/cms-step.js';
import { certSummary, emptyResult, type FileEnv, type SignatureRun } from './steps/context.js';
import { docTimestampStep } from './steps/doc-timestamp-step.js';
import { analyzeStep, modificationChecks } from './steps/modifications-step.js';
import { signingTimeStep, trustedTimestamp } from './steps/time-step.js';
import type { SignatureResult } from './types.js';
import { textOf } from './values.js';

export type { FileEnv } from './steps/context.js';

function finish(run: SignatureRun | { checks: CheckList; result: SignatureResult }): SignatureResult {
  run.result.checks = run.checks.list();
  Object.assign(run.result, run.checks.indication());
  return run.result;
}

/** Validates one found signature against the file. */
export async function validateSignature(found: FoundSignature, env: FileEnv): Promise<SignatureResult> {
  const checks = new CheckList();
  const claimed = parsePdfDate(textOf(found.sig.get('M')));
  const result = emptyResult(found, env.p, claimed);
  const br = await checkByteRange(env.final.source, found);
  result.byteRange = br.range ? [...br.range] : null;
  if (!br.ok) {
    checks.add('byteRange', 'fail', br.code, br.params, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
    return finish({ checks, result });
  }
  checks.add('byteRange', 'pass', 'byteRangeOk', { range: br.range.join(' ') });
  const run: SignatureRun = { found, env, checks, result, range: br.range, signedEnd: br.signedEnd, contents: Buffer.from(found.contents!.bytes) };
  await analyzeStep(run);
  const crypto = found.kind === 'documentTimestamp' ? await docTimestampStep(run) : await cmsStep(run);
  if (!crypto) return finish(run);
  const { signer } = crypto;
  if (signer) {
    result.signer = signer.commonName;
    result.signerCert = certSummary(signer);
    result.issuingCa = signer.issuerCommonName;
  }
  const trustedTs = await trustedTimestamp(run, crypto);
  const signingTime = signingTimeStep(run, crypto, trustedTs, claimed);
  if (signer) await certStep(run, signer, crypto.pool, signingTime, trustedTs);
  modificationChecks(run);
  return finish(run);
}
