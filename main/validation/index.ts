/**
 * Entry point of PDF signature validation. `validatePdf` is what the CLI, the IPC handlers
 * and the exchange inbox call; it never throws for a bad file (the result carries the error).
 */
import { readFile } from 'node:fs/promises';
import { parseCertBundle } from '../pki/cert-view.js';
import { loadAnchors } from '../pki/trust-store.js';
import { readDss } from './dss.js';
import { findSignatures, type FoundSignature } from './fields.js';
import { eofOffsets, PdfView } from './pdf/document.js';
import { nameOf, numOf, PdfDict, PdfRef, textOf } from './pdf/objects.js';
import { validateSignature, type FileEnv } from './signature.js';
import type { FileResult, SignatureResult, ValidateOptions } from './types.js';

export type * from './types.js';

/** DER anchors from the admin store of `home` plus extra PEM/DER/P7B files' contents. */
export function anchorsFor(home: string | undefined, extra: Buffer[] = []): Buffer[] {
  const out = home ? loadAnchors(home) : [];
  for (const b of extra) out.push(...parseCertBundle(b));
  return out;
}

function transform(view: PdfView, sig: PdfDict, method: string): PdfDict | undefined {
  try {
    const refs = view.resolve(sig.get('Reference'));
    if (!Array.isArray(refs)) return undefined;
    for (const r of refs) {
      const d = view.dict(r);
      if (d && nameOf(d.get('TransformMethod')) === method) return view.dict(d.get('TransformParams')) ?? new PdfDict(new Map(), 0, 0);
    }
  } catch {
    // A broken /Reference is ignored, as if absent.
  }
  return undefined;
}

function fieldLock(view: PdfView, sig: FoundSignature): (name: string) => boolean {
  const params = transform(view, sig.sig, 'FieldMDP');
  if (!params) return () => false;
  const action = nameOf(params.get('Action'));
  const raw = view.resolve(params.get('Fields'));
  const names = new Set(Array.isArray(raw) ? raw.map((x) => textOf(view.resolve(x)) ?? '') : []);
  if (action === 'All') return () => true;
  if (action === 'Include') return (n) => names.has(n);
  if (action === 'Exclude') return (n) => !names.has(n);
  return () => false;
}

/** Anchors may be given as PEM, DER or P7B bytes: reduce them to DER certificates. */
function normalizeAnchors(list: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const b of list) {
    try {
      out.push(...parseCertBundle(b));
    } catch {
      // An unreadable anchor is ignored: it can only make fewer paths trusted.
    }
  }
  return out;
}

/** Never lets one broken signature abort the file: an unexpected error becomes a verdict. */
async function safeValidate(s: FoundSignature, env: FileEnv): Promise<SignatureResult> {
  try {
    return await validateSignature(s, env);
  } catch (e) {
    const detail = `signature could not be analysed: ${(e as Error).message}`;
    return {
      field: s.field, kind: s.kind, subFilter: s.subFilter, signer: null, signerCert: null, issuingCa: null,
      indication: 'INDETERMINATE', subIndication: 'FORMAT_FAILURE', signingTime: null, timeSource: 'none', claimedTime: null,
      level: null, coversWholeDocument: false, byteRange: null, revision: null,
      revocation: { status: 'notChecked', source: 'none', time: null, revokedAt: null }, docMdp: env.p, modifications: [],
      checks: [{ name: 'cmsFormat', result: 'fail', code: 'analysisError', params: {}, detail }],
    };
  }
}

function signedEndOf(s: FoundSignature): number {
  const br = s.byteRange;
  if (!Array.isArray(br) || br.length !== 4) return Number.MAX_SAFE_INTEGER;
  const c = br[2];
  const d = br[3];
  return typeof c === 'number' && typeof d === 'number' ? c + d : Number.MAX_SAFE_INTEGER;
}

function dssEnd(buf: Buffer, view: PdfView): number | undefined {
  try {
    const ref = view.catalog().get('DSS') ?? undefined;
    const num = ref instanceof PdfRef ? ref.num : view.rootNum();
    if (num === undefined) return undefined;
    const e = view.entries.get(num);
    const at = e?.type === 'offset' ? e.offset : undefined;
    return at === undefined ? undefined : eofOffsets(buf).find((x) => x > at);
  } catch {
    return undefined;
  }
}

/** Validates every signature and document timestamp of a PDF held in memory. */
export async function validatePdfBuffer(buf: Buffer, file: string, opts: ValidateOptions = {}): Promise<FileResult> {
  const result: FileResult = { file, error: null, revisions: 0, signatures: [] };
  let final: PdfView;
  let found: FoundSignature[];
  try {
    if (buf.indexOf('%PDF-', 0, 'latin1') < 0 || buf.indexOf('%PDF-', 0, 'latin1') > 1024) throw new Error('no %PDF- header');
    final = new PdfView(buf);
    found = findSignatures(final);
  } catch (e) {
    result.error = { code: 'notPdf', detail: (e as Error).message };
    return result;
  }
  result.revisions = final.sections.length;
  found.sort((a, b) => signedEndOf(a) - signedEndOf(b));
  const cert = found.find((s) => s.kind === 'signature' && transform(final, s.sig, 'DocMDP'));
  const p = cert ? (numOf(transform(final, cert.sig, 'DocMDP')!.get('P')) ?? 2) : 2;
  const env: FileEnv = {
    buf,
    final,
    dss: readDss(final),
    anchors: normalizeAnchors(opts.trust ?? []),
    offline: opts.offline ?? false,
    now: opts.time ?? new Date(),
    p: [1, 2, 3].includes(p) ? p : 2,
    locked: () => false,
    docTimestamps: [],
    dssEnd: dssEnd(buf, final),
  };
  // Document timestamps first: they are proofs of existence for the signatures they cover.
  const byIndex = new Map<FoundSignature, FileResult['signatures'][number]>();
  for (const s of found.filter((x) => x.kind === 'documentTimestamp')) {
    const r = await safeValidate(s, { ...env, locked: fieldLock(final, s) });
    byIndex.set(s, r);
    const chainOk = r.checks.some((c) => c.name === 'chain' && c.result === 'pass');
    const cryptoOk = r.checks.some((c) => c.name === 'signature' && c.result === 'pass');
    if (chainOk && cryptoOk && r.signingTime) env.docTimestamps.push({ signedEnd: signedEndOf(s), time: new Date(r.signingTime) });
  }
  for (const s of found.filter((x) => x.kind === 'signature')) {
    byIndex.set(s, await safeValidate(s, { ...env, locked: fieldLock(final, s) }));
  }
  result.signatures = found.map((s) => byIndex.get(s)!);
  return result;
}

/** Validates a PDF file: `{ trust, offline, time }` as in the CLI. */
export async function validatePdf(path: string, opts: ValidateOptions = {}): Promise<FileResult> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    return { file: path, error: { code: 'fileUnreadable', detail: (e as NodeJS.ErrnoException).code ?? 'read error' }, revisions: 0, signatures: [] };
  }
  return validatePdfBuffer(buf, path, opts);
}
