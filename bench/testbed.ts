/** Test bed costs: creating a bed, reopening a persisted one, and OCSP / TSA round trips. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestBed } from '../test/bed/index.js';
import { run } from '../test/bed/run.js';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Prints creation time (fresh and persisted) and per-request OCSP/TSA latency (median of N). */
export async function benchTestbed(rounds = 20): Promise<void> {
  let t0 = process.hrtime.bigint();
  const bed = await createTestBed();
  console.log(`createTestBed (fresh): ${ms(t0).toFixed(0)} ms`);
  try {
    // Requests made once by OpenSSL, then replayed so only the responder is timed.
    const ocspReq = path.join(bed.dir, 'bench.ocsp.req');
    await run('openssl', ['ocsp', '-issuer', bed.certs.issuing.certPath, '-cert', bed.certs.official.certPath, '-reqout', ocspReq, '-no_nonce']);
    const tsq = path.join(bed.dir, 'bench.tsq');
    await run('openssl', ['ts', '-query', '-digest', 'a'.repeat(64), '-sha256', '-cert', '-out', tsq]);
    for (const [name, url, body, type] of [['OCSP', bed.urls.ocsp, readFileSync(ocspReq), 'application/ocsp-request'], ['TSA', bed.urls.tsa, readFileSync(tsq), 'application/timestamp-query']] as const) {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        t0 = process.hrtime.bigint();
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
        await res.arrayBuffer();
        times.push(ms(t0));
      }
      times.sort((a, b) => a - b);
      console.log(`${name} round trip: median ${times[Math.floor(rounds / 2)]?.toFixed(1)} ms, max ${times[rounds - 1]?.toFixed(1)} ms (${rounds} requests)`);
    }
  } finally {
    await bed.close();
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-bed-'));
  try {
    await (await createTestBed({ dir })).close();
    t0 = process.hrtime.bigint();
    const again = await createTestBed({ dir });
    console.log(`createTestBed (persisted, reopen): ${ms(t0).toFixed(0)} ms`);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
