/**
 * Token bridge throughput: 1,000 RSA-2048 PKCS#1 v1.5 signatures through the bridge process
 * (SoftHSM2), next to pkcs11-tool (one process, open session and login per signature, which
 * is how scripts use it). Run: `npm run bench` (all benches) or `npx tsx bench/token.ts`.
 */
import { X509Certificate, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenManager } from '../native/token-manager.js';
import { SoftHsm } from '../test/bed/softhsm.js';
import { TestPki } from '../test/bed/pki.js';

/** One benchmark line. */
export interface BenchResult {
  name: string;
  ops: number;
  ms: number;
  opsPerSec: number;
}

const urls = { ocsp: 'http://127.0.0.1:9/o', ocspRoot: 'http://127.0.0.1:9/r', issuingCer: 'http://127.0.0.1:9/i', rootCer: 'http://127.0.0.1:9/c', issuingCrl: 'http://127.0.0.1:9/l', rootCrl: 'http://127.0.0.1:9/m' };

/** Runs the token benchmark and returns its results (also printed). */
export async function benchToken(opts: { signatures?: number; toolSignatures?: number } = {}): Promise<BenchResult[]> {
  const n = opts.signatures ?? 1000;
  const toolN = opts.toolSignatures ?? 50;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-token-'));
  const results: BenchResult[] = [];
  const hsm = new SoftHsm(path.join(dir, 'hsm'));
  const tm = new TokenManager({ modules: [hsm.module], env: hsm.env });
  try {
    const pin = '246810';
    await hsm.initToken('Bench', '13579135', pin);
    const spki = await hsm.generateKey('Bench', pin, { type: 'rsa:2048', id: '01', keyLabel: 'bench' });
    const pki = await TestPki.create(path.join(dir, 'pki'), urls);
    const cert = await pki.issue({ name: 'bench', profile: 'official', subject: [['C', 'VN'], ['CN', 'Bench']], publicKey: spki });
    await hsm.importCertificate('Bench', pin, { id: '01', certLabel: 'bench', certPath: cert.derPath });

    const ref = { module: hsm.module, label: 'Bench' };
    await tm.login(ref, pin);
    const signer = await tm.getSigner(ref, { keyId: '01' });
    const pub = new X509Certificate(Buffer.from(signer.certificate)).publicKey;
    await signer.sign(Buffer.from('warm-up'), 'SHA-256', 'RSA-PKCS1');
    let t0 = performance.now();
    const sigs: Uint8Array[] = [];
    for (let i = 0; i < n; i++) sigs.push(await signer.sign(Buffer.from(`doc ${i}`), 'SHA-256', 'RSA-PKCS1'));
    let ms = performance.now() - t0;
    results.push({ name: 'bridge RSA-2048 PKCS#1 v1.5 SHA-256 (sequential)', ops: n, ms, opsPerSec: (n * 1000) / ms });
    const bad = sigs.filter((s, i) => !verify('sha256', Buffer.from(`doc ${i}`), pub, s)).length;
    if (bad) throw new Error(`${bad} bridge signatures did not verify`);

    t0 = performance.now();
    for (let i = 0; i < toolN; i++) await hsm.sign('Bench', pin, '01', 'SHA256-RSA-PKCS', Buffer.from(`doc ${i}`));
    ms = performance.now() - t0;
    results.push({ name: 'pkcs11-tool --sign SHA256-RSA-PKCS (one process per signature)', ops: toolN, ms, opsPerSec: (toolN * 1000) / ms });
  } finally {
    await tm.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const r of results) console.log(`${r.name}: ${r.ops} in ${r.ms.toFixed(0)} ms = ${r.opsPerSec.toFixed(1)}/s`);
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await benchToken();
