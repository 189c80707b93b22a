/**
 * The verify use cases, one implementation for `verify:*` / `trust:*` and `kyso verify` /
 * `kyso trust` (and the signing service's VerifyPDF): trust anchors from the admin store plus
 * files the caller names, validation of one or more PDFs, the report as PDF or JSON, and the
 * admin trust store.
 */
import { writeFile } from 'node:fs/promises';
import type { Lang } from '../../resources/locales/index.js';
import { KysoError } from '../api/errors.js';
import { isNoCertificate, readCertFile } from '../pki/cert-file.js';
import { trustAdd, trustList, trustRemove, type TrustEntry } from '../pki/trust-store.js';
import { writeError } from '../signing/atomic.js';
import { anchorsFor, validatePdf } from '../validation/index.js';
import { resultsJson } from '../validation/report/json.js';
import type { FileResult } from '../validation/types.js';

export { trustList, trustRemove };

/** How to validate: extra anchor files, no network, as of a past moment. */
export interface VerifyOptions {
  trust?: string[];
  offline?: boolean;
  time?: Date;
  /** Password of encrypted PDFs. */
  password?: string;
}

/** The anchors: the admin store of `home` plus the named files (PEM, DER or P7B). */
export function trustAnchors(home: string, files: string[] = []): Buffer[] {
  const extra = files.flatMap((p) => {
    try {
      return readCertFile(p);
    } catch (e) {
      throw new KysoError(isNoCertificate(e) ? 'trustBadFile' : 'verifyTrustFile', { path: p }, { cause: e });
    }
  });
  return anchorsFor(home, extra);
}

/** Validates the files in order with one set of anchors; a file that is no PDF gets its error in its result. */
export async function verifyFiles(home: string, paths: string[], options: VerifyOptions = {}): Promise<FileResult[]> {
  const trust = trustAnchors(home, options.trust);
  const files: FileResult[] = [];
  for (const p of paths) files.push(await validatePdf(p, { trust, offline: options.offline ?? false, time: options.time, ...(options.password !== undefined ? { password: options.password } : {}) }));
  return files;
}

/** The report format a file name asks for: `.json`, else PDF. */
export function reportFormatOf(file: string): 'pdf' | 'json' {
  return file.toLowerCase().endsWith('.json') ? 'json' : 'pdf';
}

/** Writes the validation report of `files` (the PDF one in `lang`); fileWrite / diskFull on failure. */
export async function writeVerifyReport(files: FileResult[], output: string, format: 'pdf' | 'json', lang: Lang): Promise<{ output: string; bytes: number }> {
  // pdf-lib and fontkit load on the first PDF report, not with the app or the CLI.
  const body = format === 'json'
    ? Buffer.from(JSON.stringify(resultsJson(files), null, 2))
    : await (await import('../validation/report/pdf.js')).renderReportPdf(files, lang);
  try {
    await writeFile(output, body);
  } catch (e) {
    throw writeError(e, output);
  }
  return { output, bytes: body.length };
}

/** Adds the certificates of the named files (PEM, DER or P7B) to the admin trust store. */
export function addTrustFiles(home: string, paths: string[]): TrustEntry[] {
  return paths.flatMap((p) => {
    let ders: Buffer[];
    try {
      ders = readCertFile(p);
    } catch (e) {
      throw isNoCertificate(e) ? new KysoError('trustBadFile', { path: p }, { cause: e }) : e;
    }
    return ders.flatMap((der) => trustAdd(home, der));
  });
}
