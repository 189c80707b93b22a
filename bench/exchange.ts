/**
 * Inbox server benchmark: sustained deliveries per second (signed packages fanned out to two
 * recipients, 4 concurrent senders) and the server's peak memory (VmHWM of the real
 * `kyso server` process) while a ~1 GB package is uploaded, next to a 64 MB one: bounded
 * memory means the two peaks are about the same. KYSO_BENCH_EXCHANGE_MB sets the big size.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { writePackage } from '../main/exchange/edxml/index.js';
import type { Signer } from '../main/pki/signer.js';
import { addOrg, addUser } from '../server/admin.js';
import { openRepo } from '../server/store.js';
import { createTestBed } from '../test/bed/index.js';
import { ok, sendPackage, token } from '../test/integration/exchange-server/api.js';
import { issueUser, makePackage, ORGS, signerOf } from '../test/integration/exchange-server/fixtures.js';

function peakRssMb(pid: number): { rss: number; hwm: number } {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? 0) / 1024;
  return { rss: Math.round(kb('VmRSS')), hwm: Math.round(kb('VmHWM')) };
}

async function bigPackage(dir: string, signer: Signer, packageMb: number): Promise<string> {
  // base64 inflates by 4/3: an attachment of 3/4 of the target gives a package of the target size.
  const attachment = path.join(dir, `att-${packageMb}.bin`);
  const w = createWriteStream(attachment);
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 7919) & 0xff;
  const blocks = Math.round((packageMb * 3) / 4);
  for (let i = 0; i < blocks; i++) {
    block[0] = i & 0xff;
    if (!w.write(block)) await once(w, 'drain');
  }
  w.end();
  await once(w, 'finish');
  const file = path.join(dir, `big-${packageMb}.edxml`);
  await writePackage(
    {
      header: {
        from: { organId: ORGS.A.code, organName: ORGS.A.name }, to: [{ organId: ORGS.B.code, organName: ORGS.B.name }],
        code: { codeNumber: '99', codeNotation: 'BC-UBND' }, promulgationInfo: { place: 'Thử Nghiệm', promulgationDate: '2026/11/22' },
        documentType: { type: 1, typeDetail: 9, typeName: 'Báo cáo' }, subject: 'Hồ sơ quét dung lượng lớn', signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn An' },
      },
      attachments: [{ meta: { contentId: 'scan', attachmentName: 'ho-so-quet.pdf' }, path: attachment }],
    },
    signer,
    file,
  );
  rmSync(attachment);
  return file;
}

/** Runs the exchange benchmark and prints its results. */
export async function benchExchange(): Promise<void> {
  const bigMb = Number(process.env.KYSO_BENCH_EXCHANGE_MB ?? 1024);
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-ex-'));
  const bed = await createTestBed();
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const [a, b, c] = await Promise.all([issueUser(bed, 'benchA', 'Văn thư A'), issueUser(bed, 'benchB', 'Văn thư B'), issueUser(bed, 'benchC', 'Văn thư C')]);
    const A = signerOf(bed, a);
    const data = path.join(work, 'data');
    const repo = await openRepo(data);
    await addOrg(repo, ORGS.A);
    await addOrg(repo, { ...ORGS.B, parent: ORGS.A.code });
    await addOrg(repo, { ...ORGS.C, parent: ORGS.A.code });
    await addUser(repo, ORGS.A.code, a.certPath);
    await addUser(repo, ORGS.B.code, b.certPath);
    await addUser(repo, ORGS.C.code, c.certPath);
    await repo.db.close();
    const bin = path.join(import.meta.dirname, '..', 'bin', 'kyso.js');
    child = spawn(process.execPath, [bin, 'server', '--data', data, '--port', '0', '--json', '--trust', bed.certs.root.certPath, '--max-package-bytes', String(3 * 1024 ** 3)], {
      env: { ...process.env, KYSO_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const url = (JSON.parse(line.toString()) as { url: string }).url;
    const pid = child.pid!;
    const tok = await token(url, A);

    const n = 200;
    const pkgs: { file: string }[] = [];
    for (let i = 0; i < n; i++) pkgs.push(await makePackage(work, A, ORGS.A, [ORGS.B, ORGS.C], { body: Buffer.alloc(50_000, i & 0xff) }));
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < n) ok(await sendPackage(url, tok, randomUUID(), { file: pkgs[next++]!.file }));
    }));
    const secs = (performance.now() - t0) / 1000;
    console.log(`deliveries: ${n} packages x 2 recipients (≈${Math.round(statSync(pkgs[0]!.file).size / 1024)} KB each) in ${secs.toFixed(2)} s = ${((2 * n) / secs).toFixed(0)} deliveries/s (${(n / secs).toFixed(0)} packages/s), server RSS ${peakRssMb(pid).rss} MB`);

    for (const mb of [64, bigMb]) {
      const file = await bigPackage(work, A, mb);
      const before = peakRssMb(pid);
      const t = performance.now();
      const r = ok(await sendPackage(url, tok, randomUUID(), { file }));
      const s = (performance.now() - t) / 1000;
      const after = peakRssMb(pid);
      console.log(`upload ${(statSync(file).size / 1024 ** 2).toFixed(0)} MB package: ${s.toFixed(1)} s (${(statSync(file).size / 1024 ** 2 / s).toFixed(0)} MB/s), server peak RSS ${before.hwm} -> ${after.hwm} MB (sha256 ${r.packageSha256.slice(0, 12)}…)`);
      rmSync(file);
    }
  } finally {
    child?.kill('SIGTERM');
    if (child) await once(child, 'exit').catch(() => undefined);
    await bed.close();
    rmSync(work, { recursive: true, force: true });
  }
}
