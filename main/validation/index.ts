/**
 * Entry point of PDF signature validation. `validatePdf` is what the CLI, the IPC handlers
 * and the exchange inbox call; it never throws for a bad file (the result carries the error).
 */
import { DerCache } from '../pki/der-cache.js';
import { randomUUID } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKysoError, KysoError, type ErrorParams } from '../api/errors.js';
import { t } from '../../resources/locales/index.js';
import { PdfDict, PdfRef } from '../pdf/objects.js';
import { parseCertificates } from '../pki/cert-file.js';
import { loadAnchors } from '../pki/trust-store.js';
import { CheckList } from './checks.js';
import { eofOffsets, PdfView } from './doc.js';
import { readDss } from './dss.js';
import { findSignatures, type FoundSignature } from './fields.js';
import { validateSignature, type FileEnv } from './signature.js';
import { shadowDefinitions } from './modifications/shadow-defs.js';
import { RevisionCache } from './modifications/revision-cache.js';
import { RangeDigests } from './byte-range.js';
import { sharedParse } from '../pdf/revisions.js';
import { emptyResult } from './steps/context.js';
import type { FileNote, FileResult, SignatureResult, ValidateOptions } from './types.js';
import { nameOf, numOf, textOf } from './values.js';

export type * from './types.js';

/** DER anchors from the admin store of `home` plus extra PEM/DER/P7B files' contents. */
export function anchorsFor(home: string | undefined, extra: Buffer[] = []): Buffer[] {
  const out = home ? loadAnchors(home) : [];
  for (const b of extra) out.push(...parseCertificates(b));
  return out;
}

async function transform(view: PdfView, sig: PdfDict, method: string): Promise<PdfDict | undefined> {
  try {
    const refs = await view.resolve(sig.get('Reference'));
    if (!Array.isArray(refs)) return undefined;
    for (const r of refs) {
      const d = await view.dict(r);
      if (d && nameOf(d.get('TransformMethod')) === method) return (await view.dict(d.get('TransformParams'))) ?? new PdfDict();
    }
  } catch {
    // A broken /Reference is ignored, as if absent.
  }
  return undefined;
}

/** The FieldMDP lock of a signature, and a key naming it (diffs are shared between equal keys). */
async function fieldLock(view: PdfView, sig: FoundSignature): Promise<{ locked: (name: string) => boolean; lockKey: string }> {
  const lock = await fieldLockFn(view, sig);
  return lock ? { locked: lock.fn, lockKey: lock.key } : { locked: () => false, lockKey: '' };
}

async function fieldLockFn(view: PdfView, sig: FoundSignature): Promise<{ fn: (name: string) => boolean; key: string } | null> {
  const params = await transform(view, sig.sig, 'FieldMDP');
  if (!params) return null;
  const action = nameOf(params.get('Action'));
  const names = new Set<string>();
  try {
    const raw = await view.resolve(params.get('Fields'));
    if (Array.isArray(raw)) for (const x of raw) names.add(textOf(await view.resolve(x)) ?? '');
  } catch {
    // Unreadable /Fields: an empty list (Include locks nothing, Exclude locks everything).
  }
  const key = `${action}:${JSON.stringify([...names].sort())}`;
  if (action === 'All') return { fn: () => true, key };
  if (action === 'Include') return { fn: (n) => names.has(n), key };
  if (action === 'Exclude') return { fn: (n) => !names.has(n), key };
  return null;
}

/** Anchors may be given as PEM, DER or P7B bytes: reduce them to DER certificates. */
function normalizeAnchors(list: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const b of list) {
    try {
      // The same anchors come with every file of a run (the inbox, kyso verify *.pdf): parse once.
      out.push(...anchorParses.get(b, () => parseCertificates(b)));
    } catch {
      // An unreadable anchor is ignored: it can only make fewer paths trusted.
    }
  }
  return out;
}

/** Parsed anchor files by content. */
const anchorParses = new DerCache<Buffer[]>(64);

/** Never lets one broken signature abort the file: an unexpected error becomes a verdict. */
async function safeValidate(s: FoundSignature, env: FileEnv): Promise<SignatureResult> {
  try {
    return await validateSignature(s, env);
  } catch {
    // The exception's own text (a library's internals) is no message for users.
    const result = emptyResult(s, env.p, undefined);
    const checks = new CheckList();
    checks.add('cmsFormat', 'fail', 'analysisError', {}, { indication: 'INDETERMINATE', sub: 'FORMAT_FAILURE' });
    result.checks = checks.list();
    return { ...result, ...checks.indication() };
  }
}

function signedEndOf(s: FoundSignature): number {
  const br = s.byteRange;
  if (!Array.isArray(br) || br.length !== 4) return Number.MAX_SAFE_INTEGER;
  const c = br[2];
  const d = br[3];
  return typeof c === 'number' && typeof d === 'number' ? c + d : Number.MAX_SAFE_INTEGER;
}

async function dssEnd(eofs: number[], view: PdfView): Promise<number | undefined> {
  try {
    const ref = (await view.catalog()).get('DSS') ?? undefined;
    const num = ref instanceof PdfRef ? ref.num : view.rootNum();
    if (num === undefined) return undefined;
    const e = view.entries.get(num);
    const at = e?.type === 'offset' ? e.offset : undefined;
    return at === undefined ? undefined : eofs.find((x) => x > at);
  } catch {
    return undefined;
  }
}

/** A file-level note with its English text. */
function note(code: string, params: Record<string, string | number>): FileNote {
  return { code, params, detail: t('en', `verify.note.${code}`, params) };
}

/** A file error that names `to` wherever it named `from` (the caller's file, not a temp copy). */
function renamed(error: NonNullable<FileResult['error']>, from: string, to: string): NonNullable<FileResult['error']> {
  const swap = (v: string) => v.split(from).join(to);
  const params: ErrorParams = {};
  for (const [k, v] of Object.entries(error.params ?? {})) params[k] = typeof v === 'string' ? swap(v) : v;
  return { ...error, detail: swap(error.detail), ...(error.params ? { params } : {}) };
}

/** Validates every signature and document timestamp of a PDF held in memory (via a temp file). */
export async function validatePdfBuffer(buf: Buffer, file: string, opts: ValidateOptions = {}): Promise<FileResult> {
  const tmp = join(tmpdir(), `kyso-validate-${randomUUID()}.pdf`);
  await writeFile(tmp, buf, { mode: 0o600 });
  try {
    const r = await validatePdf(tmp, opts);
    return { ...r, file, error: r.error && renamed(r.error, tmp, file) };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** A file's read error: the KysoError's code and parameters, with its English text as detail. */
function fileError(e: unknown): NonNullable<FileResult['error']> {
  if (isKysoError(e)) return { code: e.code, params: e.params, detail: t('en', `error.${e.code}`, e.params) };
  // Not one of ours: a library's message (e.g. an OpenSSL error string) is no text for users.
  const params = { offset: -1, detail: 'unreadable structure' };
  return { code: 'pdfMalformed', params, detail: t('en', 'error.pdfMalformed', params) };
}

/**
 * Validates a PDF file: `{ trust, offline, time }` as in the CLI. The file is read lazily
 * through main/pdf (only the xref chains, the objects the analysis needs, and the signed
 * ranges, streamed for hashing), so a 100 MB scan is never loaded whole.
 */
export async function validatePdf(path: string, opts: ValidateOptions = {}): Promise<FileResult> {
  const result: FileResult = { file: path, error: null, revisions: 0, signatures: [] };
  try {
    const st = await stat(path);
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: st.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    result.error = fileError(code === 'ENOENT' ? new KysoError('fileNotFound', { path }) : new KysoError('pdfRead', { path, detail: code ?? 'read error' }));
    return result;
  }
  let final: PdfView;
  try {
    final = await PdfView.open(path, undefined, opts.password, sharedParse());
  } catch (e) {
    result.error = fileError(e);
    return result;
  }
  try {
    let found: FoundSignature[];
    try {
      found = await findSignatures(final);
    } catch (e) {
      result.error = fileError(e);
      return result;
    }
    result.revisions = final.sectionOffsets.length;
    result.signatures = await validateAll(path, final, found, opts);
    const notes: FileNote[] = [];
    const enc = final.pdf.encryption;
    if (enc) notes.push(note(enc.emptyUserPassword ? 'encryptedNoOpenPassword' : 'encrypted', { algorithm: enc.algorithm }));
    const kind = final.repairKind;
    if (kind) notes.push(note(`xrefRepaired_${kind}`, {}));
    if (notes.length) result.notes = notes;
    return result;
  } finally {
    await final.close();
  }
}

async function validateAll(path: string, final: PdfView, found: FoundSignature[], opts: ValidateOptions): Promise<SignatureResult[]> {
  found.sort((a, b) => signedEndOf(a) - signedEndOf(b));
  let cert: PdfDict | undefined;
  for (const s of found) if (s.kind === 'signature' && !cert) cert = await transform(final, s.sig, 'DocMDP');
  const p = cert ? (numOf(cert.get('P')) ?? 2) : 2;
  const eofs = await eofOffsets(final.source);
  const env: FileEnv = {
    path,
    final,
    eofs,
    dss: await readDss(final),
    anchors: normalizeAnchors(opts.trust ?? []),
    offline: opts.offline ?? false,
    now: opts.time ?? new Date(),
    p: [1, 2, 3].includes(p) ? p : 2,
    locked: () => false,
    docTimestamps: [],
    dssEnd: await dssEnd(eofs, final),
    repairKind: final.repairKind,
    digests: new RangeDigests(final.source, found.map((s) => (Array.isArray(s.byteRange) && s.byteRange.every((x) => typeof x === 'number') ? (s.byteRange as number[]) : []))),
    revisions: new RevisionCache(async (end) => PdfView.open(path, end, final.password, final.shared).catch((e: unknown) => (e as Error).message)),
    shadows: final.repairKind ? await shadowDefinitions(final) : [],
  };
  // Document timestamps first: they are proofs of existence for the signatures they cover.
  const byIndex = new Map<FoundSignature, SignatureResult>();
  for (const s of found.filter((x) => x.kind === 'documentTimestamp')) {
    const r = await safeValidate(s, { ...env, ...(await fieldLock(final, s)) });
    byIndex.set(s, r);
    const chainOk = r.checks.some((c) => c.name === 'chain' && c.result === 'pass');
    const cryptoOk = r.checks.some((c) => c.name === 'signature' && c.result === 'pass');
    if (chainOk && cryptoOk && r.signingTime) env.docTimestamps.push({ signedEnd: signedEndOf(s), time: new Date(r.signingTime) });
  }
  for (const s of found.filter((x) => x.kind === 'signature')) {
    byIndex.set(s, await safeValidate(s, { ...env, ...(await fieldLock(final, s)) }));
  }
  await env.revisions?.close();
  return found.map((s) => byIndex.get(s)!);
}
