/**
 * The certificate checks a document's signatures share (CertMemo, main/validation/cert-checks.ts):
 * within one document each signer's path and revocation status are established once (the
 * loopback OCSP responder counts the requests), and a new validation asks again, so a
 * revocation that happened in between is seen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePdfBuffer } from '../../../main/validation/index.js';
import type { IssuedCert } from '../../bed/pki.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { signFixture } from './helpers/sign.js';

let bed: ValidationBed;
let base: Buffer;
let later: IssuedCert;

beforeAll(async () => {
  bed = await createValidationBed();
  base = await basePdf();
  later = await bed.pki.issue({ name: 'later', profile: 'official', subject: [['C', 'VN'], ['O', 'UBND Tỉnh Thử Nghiệm'], ['CN', 'Hoàng Văn Em']] });
}, 120_000);

afterAll(async () => {
  await bed?.close();
});

const signer = (c: IssuedCert) => ({ cert: c.certPath, key: c.keyPath!, chain: bed.chainFile });

describe('certificate checks shared by the signatures of one document', () => {
  it('asks the OCSP responder once per certificate of a document, and again for the next document', async () => {
    const one = await signFixture(base, { ...signer(later), field: 'Sig1' });
    let hits = bed.server.hits.ocsp;
    const single = await validatePdfBuffer(one, 'one.pdf', { trust: [bed.rootPem] });
    expect(single.signatures[0]!.indication).toBe('TOTAL_PASSED');
    const perSigner = bed.server.hits.ocsp - hits;
    expect(perSigner).toBeGreaterThan(0);

    // Four signatures by two signers (the CA above them is the same): one more leaf to ask about.
    let four = base;
    for (let i = 0; i < 4; i++) four = await signFixture(four, { ...signer(i % 2 ? bed.second : later), field: `Sig${i + 1}` });
    hits = bed.server.hits.ocsp;
    const r = await validatePdfBuffer(four, 'four.pdf', { trust: [bed.rootPem] });
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(r.signatures.map((s) => s.revocation.source)).toEqual(['ocsp', 'ocsp', 'ocsp', 'ocsp']);
    expect(bed.server.hits.ocsp - hits).toBe(perSigner + 1);

    // Nothing is kept across documents: a revocation since the last validation is seen at once.
    await bed.pki.revoke(later);
    const again = await validatePdfBuffer(four, 'four.pdf', { trust: [bed.rootPem] });
    expect(again.signatures.map((s) => s.revocation.status)).toEqual(['revoked', 'good', 'revoked', 'good']);
    expect(again.signatures[0]!.indication).not.toBe('TOTAL_PASSED');
    expect(again.signatures[1]!.indication).toBe('TOTAL_PASSED');
  }, 120_000);
});
