/**
 * Validation bench (issue 13 item 11), side by side with poppler's pdfsig in one run, over a
 * generated corpus (bench/verify-corpus.ts: 100 signed PDFs, 10 KB to 50 MB, 1 to 30
 * signatures, a DSS on about a third):
 * - Kyso in this process (`validatePdf`, offline, after one warm-up pass) per file;
 * - the `kyso verify --offline` command (the built CLI bundle, a process per file);
 * - `pdfsig -no-ocsp` with an NSS db trusting the same root, a process per file.
 * Then the 1 MB document with 1 and with 25 signatures, in process and as commands.
 * Prints totals, ratios against pdfsig and the targets (25 signatures <= 4x one; CLI total
 * <= 4x pdfsig; in-process total <= 2x pdfsig); times are wall clock, CPU shown beside.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validatePdf } from '../main/validation/index.js';
import { verifyCorpus, type Corpus } from './verify-corpus.js';

const KYSO = fileURLToPath(new URL('../bin/kyso.js', import.meta.url));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; out: string }> {
  const t = performance.now();
  return new Promise((resolve) => execFile(cmd, args, { maxBuffer: 1 << 26, env }, (_e, stdout, stderr) => resolve({ ms: performance.now() - t, out: `${stdout}${stderr}` })));
}

async function inProcess(file: string, root: Buffer): Promise<{ ms: number; cpu: number; verdicts: string[] }> {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const r = await validatePdf(file, { trust: [root], offline: true });
  const ms = performance.now() - t;
  const c = process.cpuUsage(c0);
  return { ms, cpu: (c.user + c.system) / 1000, verdicts: r.signatures.map((s) => s.indication) };
}

const cliEnv = { ...process.env, KYSO_HOME: '/nonexistent-kyso-bench-home', KYSO_FROM_SOURCE: '0' };
const kysoCli = (c: Corpus, file: string) => run(process.execPath, [KYSO, 'verify', '--offline', '--trust', c.root, '--json', file], cliEnv);
const pdfsig = (c: Corpus, file: string) => run('pdfsig', ['-nssdir', `sql:${c.nss}`, '-no-ocsp', file]);

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the bench and prints the table. */
export async function benchVerify(): Promise<void> {
  if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
    const { buildCli } = await import('../scripts/build-cli.mjs');
    await buildCli();
  }
  const c = await verifyCorpus();
  const root = readFileSync(c.root);
  const files = c.files.filter((f) => f.file !== c.one && f.file !== c.twentyFive);
  const mb = files.reduce((s, f) => s + f.bytes, 0) / 1048576;
  const sigs = files.reduce((s, f) => s + f.signatures, 0);
  console.log(`corpus: ${files.length} files, ${mb.toFixed(0)} MB, ${sigs} signatures (1-${Math.max(...files.map((f) => f.signatures))} per file), ${files.filter((f) => f.dss).length} with a DSS; ${c.dir}`);

  // Warm-up: module loading and JIT, and the page cache for every tool.
  for (const f of files) await validatePdf(f.file, { trust: [root], offline: true });
  let kysoMs = 0;
  let kysoCpu = 0;
  let cliMs = 0;
  let popplerMs = 0;
  let agree = 0;
  let kysoValid = 0;
  let popplerValid = 0;
  for (const f of files) {
    const k = await inProcess(f.file, root);
    kysoMs += k.ms;
    kysoCpu += k.cpu;
    cliMs += (await kysoCli(c, f.file)).ms;
    const p = await pdfsig(c, f.file);
    popplerMs += p.ms;
    // Integrity: Kyso never TOTAL_FAILED where pdfsig says valid.
    const pv = (p.out.match(/Signature is Valid\./g) ?? []).length;
    const kv = k.verdicts.filter((v) => v !== 'TOTAL_FAILED').length;
    popplerValid += pv;
    kysoValid += kv;
    if (pv === f.signatures && kv === f.signatures) agree++;
  }
  console.log('tool                              | total     | vs pdfsig | target');
  console.log(`pdfsig -no-ocsp (process/file)    | ${fmt(popplerMs).padStart(9)} | 1.00x     |`);
  console.log(`kyso validatePdf (in process)     | ${fmt(kysoMs).padStart(9)} | ${ratio(kysoMs, popplerMs).padEnd(9)} | <= 2x (CPU ${fmt(kysoCpu)})`);
  console.log(`kyso verify --offline (CLI/file)  | ${fmt(cliMs).padStart(9)} | ${ratio(cliMs, popplerMs).padEnd(9)} | <= 4x`);
  console.log(`integrity: pdfsig "Signature is Valid." ${popplerValid}/${sigs}, Kyso not TOTAL_FAILED ${kysoValid}/${sigs}, files where both accept every signature ${agree}/${files.length}`);

  // 1 MB with 1 and with 25 signatures: medians of 5.
  const pair = async (file: string) => {
    const inproc: number[] = [];
    const cpu: number[] = [];
    const cli: number[] = [];
    const pop: number[] = [];
    for (let i = 0; i < 5; i++) {
      const k = await inProcess(file, root);
      inproc.push(k.ms);
      cpu.push(k.cpu);
      cli.push((await kysoCli(c, file)).ms);
      pop.push((await pdfsig(c, file)).ms);
    }
    return { inproc: median(inproc), cpu: median(cpu), cli: median(cli), pop: median(pop) };
  };
  const one = await pair(c.one);
  const many = await pair(c.twentyFive);
  console.log('1 MB document       | 1 signature | 25 signatures | 25 / 1 | target');
  console.log(`kyso in process     | ${one.inproc.toFixed(0).padStart(8)} ms | ${many.inproc.toFixed(0).padStart(10)} ms | ${ratio(many.inproc, one.inproc).padStart(6)} | <= 4x (CPU ${one.cpu.toFixed(0)} -> ${many.cpu.toFixed(0)} ms)`);
  console.log(`kyso verify (CLI)   | ${one.cli.toFixed(0).padStart(8)} ms | ${many.cli.toFixed(0).padStart(10)} ms | ${ratio(many.cli, one.cli).padStart(6)} | <= 4x`);
  console.log(`pdfsig              | ${one.pop.toFixed(0).padStart(8)} ms | ${many.pop.toFixed(0).padStart(10)} ms | ${ratio(many.pop, one.pop).padStart(6)} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchVerify();
