/**
 * Signs one PDF (PAdES B-B to B-LTA) into `output`: incremental update with the signature
 * field, streamed hashing, CMS through the Signer, then the level updates, all in a temp file
 * next to the output that is fsynced and renamed only when everything succeeded.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { KysoError, isKysoError } from '../api/errors.js';
import { isErrorOfKind } from '../api/error-kinds.js';
import { certView } from '../pki/cert.js';
import { PdfString, dict, name } from '../pdf/objects.js';
import { PdfFile } from '../pdf/reader.js';
import { IncrementalUpdate } from '../pdf/writer.js';
import { commitTemp, outputError, removeTemps, tempPathFor } from './atomic.js';
import { writeContents } from './byte-range.js';
import { createDetachedCms } from './cms.js';
import { appendDocTimestamp, appendDss, timestampCms } from './levels.js';
import { cmsRoom } from './placeholder-size.js';
import { writeAndHash, type PreparedUpdate } from './prepare.js';
import { addSignatureField, certificationLevel, countSignatures, existingFieldNames, nextFieldName } from './sig-objects.js';
import { pdfDate } from './time.js';
import { brokenSignatureWarnings } from './preflight.js';
import type { AppearanceContext, BuiltAppearance } from './appearance.js';
import { LEVELS, type PadesLevel, type SignOptions, type SignResult } from './types.js';

/**
 * Invisible signatures skip the appearance module: it pulls in fontkit (~35 MB, ~0.3 s of
 * start-up), which batch signing of scans without a stamp does not need.
 */
async function placeSignature(pdf: PdfFile, up: IncrementalUpdate, ctx: AppearanceContext): Promise<BuiltAppearance> {
  const role = ctx.appearance?.role ?? 'invisible';
  if (role === 'invisible') {
    const count = await pdf.pageCount();
    const pageNo = ctx.placement?.page ?? 1;
    if (pageNo < 1 || pageNo > count) throw new KysoError('signPageOutOfRange', { page: pageNo, count });
    return { page: await pdf.page(pageNo - 1), rect: [0, 0, 0, 0], warnings: [] };
  }
  const { buildAppearance } = await import('./appearance.js');
  return buildAppearance(pdf, up, ctx);
}

/** True when `level` is at least `min`. */
export function atLeast(level: PadesLevel, min: PadesLevel): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(min);
}

/** Lowers the level when allowed and a trust service (TSA, OCSP, CRL) gave no usable answer, else rethrows. */
function fallback(e: unknown, to: PadesLevel, options: SignOptions, warnings: SignResult['warnings']): PadesLevel {
  if (!options.allowFallback || !isErrorOfKind(e, 'trustService')) throw e;
  warnings.push({ code: 'sign.warn.fallback', params: { level: to, reason: e.code } });
  return to;
}

/** A signature whose update is written to a temp file and hashed, waiting for the token. */
export interface PreparedSignature {
  input: string;
  output: string;
  temp: string;
  prepared: PreparedUpdate;
  fieldName: string;
  level: PadesLevel;
  warnings: SignResult['warnings'];
  options: SignOptions;
}

/**
 * Phase 1 (no token needed): reads the PDF, appends the signature update with its /Contents
 * hole into a temp file next to `output`, and hashes the byte ranges.
 */
export async function prepareSignature(input: string, output: string, options: SignOptions): Promise<PreparedSignature> {
  const hash = options.hash ?? 'SHA-256';
  const level: PadesLevel = options.level ?? 'B-B';
  const warnings: SignResult['warnings'] = [];
  if (atLeast(level, 'B-T') && !options.tsa) throw new KysoError('signTsaRequired', { level });
  await stat(input).catch(() => {
    throw new KysoError('fileNotFound', { path: input });
  });
  const temp = tempPathFor(path.resolve(output));
  const signingTime = options.signingTime ?? new Date();
  try {
    const pdf = await PdfFile.open(input, { password: options.password });
    try {
      // Bytes before %PDF-: readers disagree on whether offsets count them, so an update
      // written either way is "damaged" to some of them (qpdf does not accept ours).
      if (pdf.headerOffset > 0) throw new KysoError('pdfJunkBeforeHeader', { path: input, bytes: pdf.headerOffset });
      // A document certified with P=1 allows no change at all: a new signature would break the certification.
      if ((await certificationLevel(pdf)) === 1) throw new KysoError('signCertifiedNoChanges', { path: input });
      // An encrypted document's permissions must allow filling forms or annotating (or the owner opened it).
      if (pdf.encryption && !pdf.encryption.canSign) throw new KysoError('signNotPermitted', { path: input });
      const already = await countSignatures(pdf);
      if (already > 0) warnings.push(...(await brokenSignatureWarnings(input, options.password)));
      const certify = options.certify !== undefined && already === 0;
      if (options.certify !== undefined && !certify) warnings.push({ code: 'sign.warn.certifySkipped' });
      const up = new IncrementalUpdate(pdf);
      const contents = up.placeholder(options.contentsRoom ?? cmsRoom(options.signer, atLeast(level, 'B-T')));
      const byteRange = up.byteRangePlaceholder();
      const cn = certView(options.signer.certificate).subjectCn;
      const sigDict = dict({
        Type: name('Sig'),
        Filter: name('Adobe.PPKLite'),
        SubFilter: name('ETSI.CAdES.detached'),
        ByteRange: byteRange,
        Contents: contents,
        M: PdfString.latin1(pdfDate(signingTime)),
      });
      if (cn) sigDict.set('Name', PdfString.text(cn));
      if (options.reason) sigDict.set('Reason', PdfString.text(options.reason));
      if (options.location) sigDict.set('Location', PdfString.text(options.location));
      if (certify) {
        sigDict.set('Reference', [
          dict({ Type: name('SigRef'), TransformMethod: name('DocMDP'), TransformParams: dict({ Type: name('TransformParams'), P: options.certify!, V: name('1.2') }) }),
        ]);
      }
      const look = await placeSignature(pdf, up, { ...options, signingTime, signerName: cn });
      warnings.push(...look.warnings);
      const fieldName = nextFieldName(await existingFieldNames(pdf, look.page));
      await addSignatureField(pdf, up, { sigDict, page: look.page, rect: look.rect, ...(look.xobject ? { appearance: look.xobject } : {}), fieldName, certify });
      const prepared = await writeAndHash(up, contents, byteRange, temp, hash, { copyFrom: input, ...(options.signal ? { signal: options.signal } : {}) });
      // Read after the update is built: a wrong object offset is only found while reading.
      if (pdf.repaired) warnings.push({ code: 'sign.warn.repaired', params: { kind: pdf.repairKind ?? 'rebuilt' } });
      return { input, output, temp, prepared, fieldName, level, warnings, options };
    } finally {
      await pdf.close();
    }
  } catch (e) {
    await removeTemps([temp]);
    if (options.signal?.aborted) throw new KysoError('cancelled');
    throw outputError(e, output);
  }
}

/** Phase 2: token signature, optional timestamp, level updates, fsync and rename. */
export async function completeSignature(p: PreparedSignature): Promise<SignResult> {
  const { options, temp, warnings } = p;
  const hash = options.hash ?? 'SHA-256';
  let level = p.level;
  try {
    options.signal?.throwIfAborted();
    let cms = await createDetachedCms(options.signer, p.prepared.digest, { hash, ...(options.scheme ? { scheme: options.scheme } : {}) });
    let tsaCerts: Uint8Array[] = [];
    if (atLeast(level, 'B-T')) {
      try {
        ({ cms, tsaCerts } = await timestampCms(cms, options.tsa!, options.signal));
      } catch (e) {
        level = fallback(e, 'B-B', options, warnings);
      }
    }
    // One handle for the contents and the final fsync (fewer opens per file in a batch).
    const fh = await open(temp, 'r+');
    const synced = !atLeast(level, 'B-LT');
    try {
      await writeContents(fh, p.prepared.hole, cms);
      if (synced) await fh.sync();
    } finally {
      await fh.close();
    }
    if (atLeast(level, 'B-LT')) {
      try {
        await appendDss(temp, tsaCerts, { ...(options.revocationTimeoutMs ? { timeoutMs: options.revocationTimeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}), password: options.password });
      } catch (e) {
        level = fallback(e, 'B-T', options, warnings);
      }
    }
    if (level === 'B-LTA') {
      try {
        await appendDocTimestamp(temp, options.tsa!, hash, options.signal, options.password);
      } catch (e) {
        level = fallback(e, 'B-LT', options, warnings);
      }
    }
    options.signal?.throwIfAborted();
    const size = (await stat(temp)).size;
    await commitTemp(temp, p.output, { synced });
    return { input: p.input, output: p.output, level, fieldName: p.fieldName, size, warnings };
  } catch (e) {
    await removeTemps([temp]);
    if (options.signal?.aborted) throw new KysoError('cancelled');
    throw outputError(e, p.output);
  }
}

/** Drops a prepared signature (cancel): removes its temp file. */
export async function abandonSignature(p: PreparedSignature): Promise<void> {
  await removeTemps([p.temp]);
}

/** Signs `input` into `output` (which may equal input: replaced atomically). */
export async function signPdf(input: string, output: string, options: SignOptions): Promise<SignResult> {
  try {
    return await completeSignature(await prepareSignature(input, output, options));
  } catch (e) {
    return retryLarger(e, input, output, options);
  }
}

/**
 * When the CMS (e.g. with an unusually large TSA token) did not fit the reserved /Contents,
 * signs once more with room for it: nothing was written by the first attempt.
 */
export async function retryLarger(e: unknown, input: string, output: string, options: SignOptions): Promise<SignResult> {
  if (!isKysoError(e) || e.code !== 'signContentsTooSmall' || options.contentsRoom !== undefined) throw e;
  const needed = Number(e.params.needed);
  return completeSignature(await prepareSignature(input, output, { ...options, contentsRoom: needed + 4096 }));
}
