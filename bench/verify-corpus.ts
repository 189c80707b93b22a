/**
 * The validation bench's corpus: 100 signed PDFs (and a 1 vs 25 signature pair) of 10 KB to 50 MB with 1 to 30 signatures,
 * some with a DSS, made once (openssl-signed incremental updates, test/integration's fixture
 * signer, with the test bed's PKI) into a cache folder outside the repository, and reused
 * while its manifest matches. Bounded: about 420 MB on disk, regenerated from scratch when the
 * recipe version changes.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNssDb } from '../test/bed/nss.js';
import { basePdf, createValidationBed } from '../test/integration/validation/helpers/bed.js';
import { dssFixture, signFixture } from '../test/integration/validation/helpers/sign.js';
import { scanLikePdf } from './scan-pdf.js';
import { seededRandom } from '../test/bed/prng.js';

/** Bump when the recipe changes: the cached corpus is then made again. */
const VERSION = 2;

/** One corpus file. */
export interface CorpusFile {
  file: string;
  bytes: number;
  signatures: number;
  dss: boolean;
}

/** The corpus with what a validator needs: the root to trust and an NSS db for pdfsig. */
export interface Corpus {
  dir: string;
  root: string;
  nss: string;
  files: CorpusFile[];
  /** The ratio pair: the same 1 MB document with 1 and with 25 signatures. */
  one: string;
  twentyFive: string;
}

/** The recipe: size, signatures, DSS for each of the 100 files (plus the ratio pair). */
function recipe(): Array<{ bytes: number; signatures: number; dss: boolean }> {
  const rnd = seededRandom(13_2026);
  const out: Array<{ bytes: number; signatures: number; dss: boolean }> = [];
  const sizes: Array<[number, number, number]> = [
    // [bytes, how many files, most signatures]
    [10 * 1024, 30, 30],
    [100 * 1024, 25, 30],
    [1024 * 1024, 20, 30],
    [5 * 1024 * 1024, 15, 12],
    [20 * 1024 * 1024, 6, 5],
    [50 * 1024 * 1024, 4, 3],
  ];
  for (const [bytes, count, most] of sizes) {
    for (let i = 0; i < count; i++) out.push({ bytes, signatures: 1 + Math.floor(rnd() * most), dss: rnd() < 0.35 });
  }
  return out;
}

/** The corpus, made if the cache folder does not hold this version yet. */
export async function verifyCorpus(log: (s: string) => void = console.log): Promise<Corpus> {
  const dir = join(process.env.KYSO_BENCH_CACHE ?? join(tmpdir(), 'kyso-bench-cache'), `verify-corpus-v${VERSION}`);
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as Corpus;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`making the corpus in ${dir} (once)...`);
  const bed = await createValidationBed();
  try {
    const root = join(dir, 'root.pem');
    writeFileSync(root, bed.rootPem);
    const nss = await createNssDb(join(dir, 'nss'), bed.pki.root.certPath, [bed.pki.issuing.certPath]);
    const signers = [bed.good, bed.second].map((c) => ({ cert: c.certPath, key: c.keyPath!, chain: bed.chainFile }));
    const dss = { certs: [readFileSync(bed.pki.issuing.certPath)], ocsps: [await bed.ocspFor(bed.good), await bed.ocspFor(bed.second)], crls: bed.crls() };
    const files: CorpusFile[] = [];
    const make = async (name: string, bytes: number, signatures: number, withDss: boolean): Promise<string> => {
      let pdf = bytes <= 64 * 1024 ? await basePdf() : scanLikePdf(bytes);
      // Small documents are padded with an unused stream up to their size.
      if (bytes <= 64 * 1024 && pdf.length < bytes) pdf = Buffer.concat([pdf.subarray(0, pdf.lastIndexOf('%%EOF') + 6), Buffer.from(`%${'x'.repeat(Math.max(0, bytes - pdf.length - 2))}\n`)]);
      for (let i = 0; i < signatures; i++) pdf = await signFixture(pdf, { ...signers[i % 2]!, field: `Sig${i + 1}` });
      if (withDss) pdf = dssFixture(pdf, dss);
      const file = join(dir, name);
      writeFileSync(file, pdf);
      files.push({ file, bytes: pdf.length, signatures, dss: withDss });
      return file;
    };
    let n = 0;
    for (const r of recipe()) {
      await make(`f${String(++n).padStart(3, '0')}-${r.signatures}sig${r.dss ? '-dss' : ''}.pdf`, r.bytes, r.signatures, r.dss);
      if (n % 10 === 0) log(`  ${n} files`);
    }
    const one = await make('ratio-1sig.pdf', 1024 * 1024, 1, false);
    const twentyFive = await make('ratio-25sig.pdf', 1024 * 1024, 25, false);
    const corpus: Corpus = { dir, root, nss, files, one, twentyFive };
    writeFileSync(manifest, JSON.stringify(corpus));
    return corpus;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    await bed.close();
  }
}
