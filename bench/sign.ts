/**
 * Signing benchmark, side by side in one run on 1 MB, 10 MB and 100 MB PDFs (a page drawing
 * one large uncompressed image, like a scan): Kyso's CLI (the dist/cli bundle, SoftHSM2 token key),
 * @signpdf/signpdf + pdf-lib (software P12 key), poppler's `pdfsig -add-signature` (NSS db
 * with a software key), and the floor (`openssl dgst -sha256` of the file + one
 * `pkcs11-tool --sign`). Wall time and peak RSS come from GNU time (-v) around each child.
 * Then a batch of 200 x 1 MB files through the CLI with one PIN (documents per second).
 * Run: `npm run bench sign` or `npx tsx bench/sign.ts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestBed, type TestBed } from '../test/bed/index.js';
import { scanLikePdf } from './scan-pdf.js';
import { buildCli } from '../scripts/build-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One measured run. */
export interface SignBenchRow {
  size: string;
  tool: string;
  wallS: number;
  /** User + system CPU seconds (less sensitive than wall time to a loaded machine). */
  cpuS: number;
  peakRssMb: number;
  ok: boolean;
  note?: string;
}


/** Runs a command under GNU time -v; returns wall seconds and peak RSS (MB). */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: Buffer): { wallS: number; cpuS: number; peakRssMb: number; ok: boolean; stderr: string } {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { env: { ...process.env, ...env }, input, maxBuffer: 256 << 20, encoding: 'buffer' });
  const err = r.stderr.toString();
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  const cpuS = Number(/User time \(seconds\): ([\d.]+)/.exec(err)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(err)?.[1] ?? NaN);
  const wallS = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return { wallS, cpuS, peakRssMb: rss ? Number(rss[1]) / 1024 : NaN, ok: r.status === 0, stderr: err.split('\n\tCommand being timed')[0]!.slice(-400) };
}

/** Prepares an NSS db with a software key for pdfsig -add-signature; returns its nickname. */
function pdfsigDb(dir: string, keyPem: string, certPem: string): { db: string; nick: string } {
  const db = path.join(dir, 'nss-sign');
  mkdirSync(db, { recursive: true });
  const p12 = path.join(dir, 'pdfsig.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', keyPem, '-in', certPem, '-name', 'bench', '-out', p12, '-passout', 'pass:bench']);
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  execFileSync('pk12util', ['-i', p12, '-d', `sql:${db}`, '-W', 'bench', '-K', '']);
  return { db, nick: 'bench' };
}

/** A software key + certificate (for tools that cannot use the token). */
function softwareIdentity(dir: string): { key: string; cert: string; p12: string } {
  const key = path.join(dir, 'sw.key');
  const cert = path.join(dir, 'sw.pem');
  const p12 = path.join(dir, 'sw.p12');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=Kyso Bench Software Key']);
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', p12, '-passout', 'pass:']);
  return { key, cert, p12 };
}

function print(rows: SignBenchRow[]): void {
  console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  console.log(`${'size'.padEnd(9)}${'tool'.padEnd(36)}${'wall s'.padStart(9)}${'cpu s'.padStart(9)}${'peak RSS MB'.padStart(13)}  note`);
  for (const r of rows) console.log(`${r.size.padEnd(9)}${r.tool.padEnd(36)}${r.wallS.toFixed(3).padStart(9)}${r.cpuS.toFixed(3).padStart(9)}${r.peakRssMb.toFixed(1).padStart(13)}  ${r.ok ? '' : 'FAILED '}${r.note ?? ''}`);
}

/** Runs the signing benchmark; prints and returns the rows. */
export async function benchSign(opts: { sizesMb?: number[]; batch?: number } = {}): Promise<SignBenchRow[]> {
  const sizes = opts.sizesMb ?? [1, 10, 100];
  const batchN = opts.batch ?? 200;
  // The CLI runs from its bundle (dist/cli) as installed; rebuild it so it matches the sources.
  await buildCli();
  const bed: TestBed = await createTestBed();
  const rows: SignBenchRow[] = [];
  try {
    const dir = path.join(bed.dir, 'bench-sign');
    mkdirSync(dir);
    const sw = softwareIdentity(dir);
    const nss = pdfsigDb(dir, sw.key, sw.cert);
    const env = { ...bed.env, KYSO_BENCH_PIN: bed.tokens.official.pin };
    const kyso = path.join(root, 'bin/kyso.js');
    const tokenArgs = ['--module', bed.module, '--token', bed.tokens.official.label, '--cert', bed.certs.official.serial, '--pin-env', 'KYSO_BENCH_PIN', '--chain', bed.chainPath];
    const keyId = bed.certs.official.token!.id;
    for (const mb of sizes) {
      const size = `${mb} MB`;
      const input = path.join(dir, `in-${mb}.pdf`);
      writeFileSync(input, scanLikePdf(mb * 1024 * 1024));
      const dgst = timed('openssl', ['dgst', '-sha256', '-binary', '-out', path.join(dir, 'digest.bin'), input]);
      const p11 = timed('pkcs11-tool', ['--module', bed.module, '--token-label', bed.tokens.official.label, '--login', '--pin', bed.tokens.official.pin, '--sign', '--id', keyId, '--mechanism', 'SHA256-RSA-PKCS', '--input-file', path.join(dir, 'digest.bin'), '--output-file', path.join(dir, 'sig.bin')], bed.env);
      rows.push({ size, tool: 'floor (openssl dgst + pkcs11-tool)', wallS: dgst.wallS + p11.wallS, cpuS: dgst.cpuS + p11.cpuS, peakRssMb: Math.max(dgst.peakRssMb, p11.peakRssMb), ok: dgst.ok && p11.ok });
      const k = timed(process.execPath, [kyso, 'sign', input, '-o', path.join(dir, `kyso-${mb}.pdf`), ...tokenArgs], env);
      rows.push({ size, tool: 'kyso sign (CLI, token)', ...k, ...(k.ok ? {} : { note: k.stderr }) });
      const s = timed(process.execPath, ['--import', 'tsx', path.join(root, 'bench/sign-signpdf-child.ts'), input, path.join(dir, `signpdf-${mb}.pdf`), sw.p12]);
      rows.push({ size, tool: '@signpdf/signpdf + pdf-lib (P12)', ...s, ...(s.ok ? {} : { note: s.stderr }) });
      const p = timed('pdfsig', ['-add-signature', '-nssdir', `sql:${nss.db}`, '-nick', nss.nick, input, path.join(dir, `pdfsig-${mb}.pdf`)]);
      rows.push({ size, tool: 'pdfsig -add-signature (NSS key)', ...p, ...(p.ok ? {} : { note: p.stderr }) });
      rmSync(input);
    }
    // Batch: 200 x 1 MB with one PIN through the CLI.
    const inDir = path.join(dir, 'batch-in');
    const outDir = path.join(dir, 'batch-out');
    mkdirSync(inDir);
    const one = scanLikePdf(1024 * 1024);
    const inputs = Array.from({ length: batchN }, (_, i) => {
      const f = path.join(inDir, `doc-${String(i).padStart(3, '0')}.pdf`);
      writeFileSync(f, one);
      return f;
    });
    const b = timed(process.execPath, [kyso, 'sign', ...inputs, '--out-dir', outDir, ...tokenArgs], env);
    const signed = readdirSync(outDir).filter((f) => f.endsWith('.pdf')).length;
    rows.push({ size: `${batchN}x1MB`, tool: 'kyso sign batch (CLI, one PIN)', ...b, note: `${signed} signed, ${(signed / b.wallS).toFixed(1)} docs/s` });
    print(rows);
    return rows;
  } finally {
    await bed.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchSign();
}
