/**
 * Kyso's own validator (main/validation, trusting only the test root) as a second oracle on
 * what the signing engine writes with the bed's SoftHSM2 token, TSA, OCSP and CRLs: every
 * level validates as TOTAL_PASSED at the level the engine intended, B-LT/B-LTA offline (the
 * DSS alone must carry the revocation data).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenManager } from '../../../native/token-manager.js';
import { signPdf } from '../../../main/signing/pades.js';
import { readCertFiles } from '../../../main/pki/cert-file.js';
import { signerChain } from '../../../main/pki/chain.js';
import type { Signer } from '../../../main/pki/signer.js';
import { anchorsFor, validatePdf } from '../../../main/validation/index.js';
import { createTestBed, type TestBed } from '../../bed/index.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let bed: TestBed;
let tm: TokenManager;
let signer: Signer;

beforeAll(async () => {
  bed = await createTestBed();
  tm = new TokenManager({ modules: [bed.module], env: bed.env });
  const ref = { module: bed.module, label: bed.tokens.official.label };
  await tm.login(ref, bed.tokens.official.pin);
  const base = await tm.getSigner(ref, { keyId: bed.certs.official.token!.id });
  signer = { ...base, chain: signerChain(base.certificate, readCertFiles([bed.chainPath])), sign: (d, h, s) => base.sign(d, h, s) };
});
afterAll(async () => {
  await tm?.close();
  await bed?.close();
});

describe('signing output through main/validation', () => {
  it.each(['B-B', 'B-T', 'B-LT', 'B-LTA'] as const)('%s validates as TOTAL_PASSED at that level', async (level) => {
    const out = path.join(bed.dir, `xval-${level}.pdf`);
    await signPdf(FIXTURE, out, { signer, level, tsa: { url: bed.urls.tsa }, certify: 2, appearance: { role: 'approval', image: path.resolve('test/fixtures/signature.png') } });
    const r = await validatePdf(out, { trust: anchorsFor(undefined, [readFileSync(bed.certs.root.certPath)]), offline: level === 'B-LT' || level === 'B-LTA' });
    expect(r.error).toBeNull();
    const sig = r.signatures.find((s) => (s as { kind?: string }).kind !== 'documentTimestamp')!;
    const notPass = sig.checks.filter((c) => c.result !== 'pass').map((c) => `${c.name}:${c.result}:${c.code}`);
    expect(sig.indication, notPass.join('; ')).toBe('TOTAL_PASSED');
    expect(sig.level).toBe(level);
    if (level === 'B-B') {
      // No timestamp: the validator warns that /M is only claimed, and nothing else.
      expect(sig.timeSource).toBe('claimed');
      expect(notPass).toEqual(['signingTime:warn:timeClaimed']);
    } else {
      expect(sig.timeSource).toBe('timestamp');
      expect(notPass.filter((c) => c.endsWith(':timeClaimed') || c.includes(':fail:'))).toEqual([]);
    }
  });
});
