/** External oracles for signed PDFs: pdfsig with an NSS db, qpdf --check, openssl cms -verify. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../bed/run.js';

/** Creates an NSS db trusting `rootPem` (and optionally more certs, e.g. the signer). */
export async function makeNssDb(dir: string, rootPem: string, extra: string[] = []): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await run('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  await run('certutil', ['-A', '-d', `sql:${dir}`, '-n', 'root', '-t', 'CT,C,C', '-i', rootPem]);
  let i = 0;
  for (const e of extra) await run('certutil', ['-A', '-d', `sql:${dir}`, '-n', `extra${i++}`, '-t', ',,', '-i', e]);
  return dir;
}

/** pdfsig's report (stdout); it exits non-zero for some documents, so keep its output either way. */
export async function pdfsig(file: string, nssDir: string): Promise<string> {
  try {
    return (await run('pdfsig', ['-nssdir', `sql:${nssDir}`, file])).stdout.toString();
  } catch (e) {
    return (e as Error).message;
  }
}

/** Per-signature blocks of a pdfsig report. */
export function pdfsigBlocks(report: string): string[] {
  return report.split(/^Signature #\d+:/m).slice(1);
}

/** qpdf --check output; throws on errors. */
export async function qpdfCheck(file: string): Promise<string> {
  const { stdout } = await run('qpdf', ['--check', file]);
  return stdout.toString();
}

/** Every /ByteRange in the file, in file order, with the CMS (hex decoded) of each. */
export function signaturesOf(file: string): Array<{ range: number[]; cms: Buffer }> {
  const buf = readFileSync(file);
  const text = buf.toString('latin1');
  const out: Array<{ range: number[]; cms: Buffer }> = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const range = [m[1], m[2], m[3], m[4]].map(Number);
    const hex = text.slice(range[1]! + 1, range[2]! - 1);
    out.push({ range, cms: Buffer.from(hex, 'hex') });
  }
  return out;
}

/** openssl cms -verify over the signed byte ranges; resolves to openssl's stderr. */
export async function opensslVerify(file: string, sig: { range: number[]; cms: Buffer }, rootPem: string, workDir: string): Promise<string> {
  const buf = readFileSync(file);
  const [a, b, c, d] = sig.range as [number, number, number, number];
  const content = Buffer.concat([buf.subarray(a, a + b), buf.subarray(c, c + d)]);
  const cPath = path.join(workDir, `content-${c}.bin`);
  const sPath = path.join(workDir, `sig-${c}.p7s`);
  writeFileSync(cPath, content);
  writeFileSync(sPath, sig.cms);
  const { stderr } = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sPath, '-content', cPath, '-CAfile', rootPem, '-purpose', 'any', '-out', '/dev/null']);
  return stderr;
}

const TST_INFO_OID = Buffer.from('060b2a864886f70d0109100104', 'hex');

/** True when the /Contents is an RFC 3161 token (a DocTimeStamp) rather than a CAdES signature. */
export function isTimestampToken(cms: Buffer): boolean {
  return cms.subarray(0, 64).includes(TST_INFO_OID);
}

/** openssl ts -verify of a document timestamp over its byte ranges; resolves to stdout. */
export async function opensslTsVerify(file: string, sig: { range: number[]; cms: Buffer }, rootPem: string, workDir: string): Promise<string> {
  const buf = readFileSync(file);
  const [a, b, c, d] = sig.range as [number, number, number, number];
  const cPath = path.join(workDir, `ts-content-${c}.bin`);
  const tPath = path.join(workDir, `ts-${c}.tsr`);
  writeFileSync(cPath, Buffer.concat([buf.subarray(a, a + b), buf.subarray(c, c + d)]));
  writeFileSync(tPath, sig.cms);
  const { stdout } = await run('openssl', ['ts', '-verify', '-token_in', '-in', tPath, '-data', cPath, '-CAfile', rootPem]);
  return stdout.toString();
}

/** The signature widgets of a PDF as qpdf reads them: 1-based page and /Rect. */
export function sigWidgets(file: string): Array<{ page: number; rect: number[] }> {
  const json = JSON.parse(execFileSync('qpdf', ['--json=2', '--json-key=qpdf', '--json-key=pages', file], { encoding: 'utf8' })) as {
    qpdf: [unknown, Record<string, { value?: Record<string, unknown> }>];
    pages: Array<{ object: string }>;
  };
  const objects = json.qpdf[1];
  const pageOf = (ref: unknown) => json.pages.findIndex((p) => p.object === ref) + 1;
  return Object.values(objects)
    .map((o) => o.value)
    .filter((v): v is Record<string, unknown> => !!v && v['/FT'] === '/Sig' && Array.isArray(v['/Rect']))
    .map((v) => ({ page: pageOf(v['/P']), rect: (v['/Rect'] as number[]).map(Number) }));
}
