/**
 * Before signing a document that is already signed: are its earlier signatures intact? A new
 * signature cannot repair a broken one, and the signer should know before adding theirs. Uses
 * the validator itself (one reader policy, one notion of "broken"), offline and without trust
 * anchors: only integrity counts here (byte range, digest, signature value, changes made after
 * signing), not who signed or whether their certificate is trusted.
 */
import type { SignResult } from './types.js';

const INTEGRITY = new Set(['byteRange', 'cmsFormat', 'messageDigest', 'signature', 'modifications']);

/** Warnings for earlier signatures of `input` whose integrity already fails. */
export async function brokenSignatureWarnings(input: string, password?: string): Promise<SignResult['warnings']> {
  // Loaded only for documents that already carry signatures.
  const { validatePdf } = await import('../validation/index.js');
  const r = await validatePdf(input, { offline: true, trust: [], password });
  const out: SignResult['warnings'] = [];
  for (const s of r.signatures) {
    const bad = s.checks.find((c) => INTEGRITY.has(c.name) && c.result === 'fail');
    if (bad) out.push({ code: 'sign.warn.brokenSignature', params: { field: s.field, reason: bad.code } });
  }
  return out;
}
