/**
 * Answers VNPT-CA Plugin calls: checkPlugin, getVersion, setLicenseKey (accepted: Kyso needs
 * no vendor licence, sites are allowed by the user instead), GetCertInfo, SignPDF (base64 in
 * and out) and signArrDataAdvanced (a batch: one approval, one PIN). Signing results carry
 * the library's codes (0 ok ... 11 cancelled). The PDF arrives inside the message, so unlike
 * the VGCA path it is held in memory once while it is decoded to a temp file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { t } from '../../../resources/locales/index.js';
import { KysoError } from '../../api/errors.js';
import { appVersion } from '../../services/paths.js';
import { serviceDir } from '../config.js';
import { documentFromBase64, WorkDir, type FetchedDoc } from '../documents.js';
import { asKysoError, authorize, runSignJob, type ServiceContext } from '../jobs.js';
import { canonicalOrigin } from '../origins.js';
import type { PlacedBox } from '../consent/types.js';
import { arrItemSchema, callSchema, CODE, FN, frame, framedFileResult, parseOptions, result, type PdfOptions, type VnptCall } from './protocol.js';

/** One incoming call. */
export interface VnptRequest {
  origin: string | undefined;
  message: string;
  signal: AbortSignal;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The library's result code for a failure. */
export function codeFor(code: string): number {
  if (code === 'serviceCancelled') return CODE.cancelled;
  if (code === 'tokenNotFound' || code === 'tokenNoModules' || code === 'tokenRemoved') return CODE.cardNotFound;
  if (code === 'tokenCertificateNotFound') return CODE.noCertificate;
  if (code === 'tokenNoPrivateKey') return CODE.noPrivateKey;
  if (code === 'signPageOutOfRange') return CODE.pageInvalid;
  if (code.startsWith('service') || code.startsWith('pdf') || code === 'notPdf') return CODE.badInput;
  if (code.startsWith('token') || code.startsWith('sign')) return CODE.signFailed;
  return CODE.unknown;
}

function failure(ctx: ServiceContext, e: unknown): string {
  const k = asKysoError(e);
  return result(codeFor(k.code), '', t(ctx.lang(), `error.${k.code}`, k.params));
}

/** The box the options ask for, when they give a usable rectangle. */
function requestedBox(o: PdfOptions): PlacedBox | undefined {
  const [llx, lly, urx, ury] = [o.llx, o.lly, o.urx, o.ury];
  if ([llx, lly, urx, ury].some((v) => typeof v !== 'number' || !Number.isFinite(v))) return undefined;
  if (urx! <= llx! || ury! <= lly!) return undefined;
  return { page: Math.max(1, Math.floor(o.page ?? 1)), rect: [llx!, lly!, urx! - llx!, ury! - lly!] };
}

/** Signs base64 documents with their options; one question, one PIN. */
async function signDocs<T>(ctx: ServiceContext, origin: string, operation: string, items: Array<{ data: string; options: PdfOptions }>, signal: AbortSignal, use: (results: Array<{ code: number; file?: string; error: string; serial: string }>) => Promise<T>): Promise<T> {
  const work = new WorkDir(path.join(serviceDir(ctx.config.home), 'work'));
  try {
    const docs: FetchedDoc[] = [];
    for (const [i, it] of items.entries()) docs.push(await documentFromBase64(it.data, items.length > 1 ? `document-${i + 1}.pdf` : 'document.pdf', work, ctx.config.maxFileBytes));
    const o = items[0]!.options;
    const invisible = o.SigVisible === false;
    let image: string | undefined;
    if (!invisible && o.ImageBase64 && o.SigType !== 0) {
      image = work.file('.png');
      const png = Buffer.from(o.ImageBase64.replace(/^data:[^,]*,/, ''), 'base64');
      // The engine reads the PNG itself; this only turns a non-PNG into a clear message first.
      if (!png.subarray(0, 8).equals(PNG_MAGIC)) throw new KysoError('serviceImageInvalid');
      await writeFile(image, png, { mode: 0o600 });
    }
    const requested = requestedBox(o);
    const { cert, results } = await runSignJob(ctx, {
      origin, operation, role: invisible ? 'invisible' : 'approval', docs, work,
      appearance: { ...(o.Signer ? { signerName: o.Signer.slice(0, 300) } : {}), ...(image ? { image } : {}) },
      details: o.Description ? { 'ui.service.description': o.Description.slice(0, 500) } : {},
      ...(requested ? { requested } : {}), ...(o.CertificateSerial ? { certSerial: o.CertificateSerial } : {}), signal,
    });
    return await use(results.map((r) => {
      if (r.output) return { code: CODE.ok, file: r.output, error: '', serial: cert.serial };
      const k = asKysoError(r.error);
      return { code: codeFor(k.code), error: t(ctx.lang(), `error.${k.code}`, k.params), serial: cert.serial };
    }));
  } finally {
    work.dispose();
  }
}

async function call(ctx: ServiceContext, origin: string, c: VnptCall, signal: AbortSignal): Promise<string | Buffer> {
  const args = c.args ?? [];
  switch (c.functionID) {
    case FN.checkPlugin:
      return '1';
    case FN.getVersion:
      return appVersion();
    case FN.setLicenseKey:
      // The library's integrations treat code 1 as "licence accepted".
      return JSON.stringify({ code: 1, data: '', error: '' });
    case FN.SetLanguage:
      return result(CODE.ok);
    case FN.GetCertInfo: {
      try {
        await authorize(ctx, origin, 'GetCertInfo', 'service.op.GetCertInfo', signal);
        const { cert, der } = await ctx.tokens.certificate();
        return JSON.stringify({ serial: cert.serial, base64: der.toString('base64'), subjectCN: cert.commonName, subject: cert.subject, issuer: cert.issuer, issuerCN: cert.issuer, notBefore: cert.notBefore, notAfter: cert.notAfter });
      } catch (e) {
        return failure(ctx, e);
      }
    }
    case FN.SignPDF:
    case FN.signArrDataAdvanced: {
      const release = await ctx.admission.enter(origin, signal);
      try {
        await authorize(ctx, origin, c.functionID === FN.SignPDF ? 'SignPDF' : 'signArrDataAdvanced', 'service.op.sign', signal);
        if (c.functionID === FN.SignPDF) {
          if (typeof args[0] !== 'string') throw new KysoError('serviceBadRequest', { detail: 'args[0] must be the PDF in base64' });
          const parsed = parseOptions(args[1]);
          if (!parsed.ok) throw new KysoError('serviceBadRequest', { detail: parsed.error });
          // The signed file goes out framed here (its temp folder is removed after this).
          return await signDocs(ctx, origin, 'SignPDF', [{ data: args[0], options: parsed.options }], signal, async ([r]) =>
            r!.file ? framedFileResult(r!.file, c.funcCallback) : result(r!.code, '', r!.error));
        }
        return JSON.stringify((await signArr(ctx, origin, args, signal)).map((r) => JSON.stringify(r)));
      } catch (e) {
        if (c.functionID === FN.SignPDF) return failure(ctx, e);
        const f = JSON.parse(failure(ctx, e)) as object;
        return JSON.stringify([JSON.stringify(f)]);
      } finally {
        release();
      }
    }
    default:
      return result(CODE.unknown, '', t(ctx.lang(), 'error.serviceNotSupported', { endpoint: `functionID ${c.functionID}`, reason: 'VNPT-CA' }));
  }
}

/** signArrDataAdvanced: `[jsonArrayOfJsonStrings, serial, clearPin, showCertList]`. */
async function signArr(ctx: ServiceContext, origin: string, args: unknown[], signal: AbortSignal): Promise<Array<{ code: number; data: string; error: string; serial?: string }>> {
  let list: unknown;
  try {
    list = typeof args[0] === 'string' ? JSON.parse(args[0]) : args[0];
  } catch {
    throw new KysoError('serviceBadRequest', { detail: 'args[0] is not a JSON array' });
  }
  if (!Array.isArray(list) || !list.length) throw new KysoError('serviceBatchEmpty');
  if (list.length > ctx.config.maxBatch) throw new KysoError('serviceBatchTooLarge', { count: list.length, max: ctx.config.maxBatch });
  const serial = typeof args[1] === 'string' && args[1].trim() ? args[1].trim() : undefined;
  const out: Array<{ code: number; data: string; error: string; serial?: string }> = [];
  const pdfs: Array<{ i: number; data: string; options: PdfOptions }> = [];
  for (const [i, raw] of list.entries()) {
    let item: unknown = raw;
    try {
      if (typeof raw === 'string') item = JSON.parse(raw);
    } catch {
      item = undefined;
    }
    const p = arrItemSchema.safeParse(item);
    if (!p.success) {
      out[i] = { code: CODE.badInput, data: '', error: t(ctx.lang(), 'error.serviceBadRequest', { detail: `item ${i + 1}` }) };
      continue;
    }
    if ((p.data.type ?? 'pdf').toLowerCase() !== 'pdf') {
      out[i] = { code: CODE.badInput, data: '', error: t(ctx.lang(), 'error.serviceNotSupported', { endpoint: `type ${p.data.type}`, reason: 'PDF only' }) };
      continue;
    }
    const parsed = parseOptions(p.data.sigOptions ?? null);
    const options: PdfOptions = parsed.ok ? parsed.options : ({} as PdfOptions);
    pdfs.push({ i, data: p.data.data, options: { ...options, ...(serial ? { CertificateSerial: serial } : {}) } });
  }
  if (pdfs.length) {
    const signed = await signDocs(ctx, origin, 'signArrDataAdvanced', pdfs.map((p) => ({ data: p.data, options: p.options })), signal, (rs) =>
      Promise.all(rs.map(async (r) => ({ code: r.code, data: r.file ? (await readFile(r.file)).toString('base64') : '', error: r.error, serial: r.serial }))));
    signed.forEach((r, j) => (out[pdfs[j]!.i] = r));
  }
  return out;
}

/** Answers one message with its frame; never throws. */
export async function handleVnpt(ctx: ServiceContext, req: VnptRequest): Promise<string | Buffer> {
  let json: unknown;
  try {
    json = JSON.parse(req.message);
  } catch {
    return frame(failure(ctx, new KysoError('serviceBadRequest', { detail: 'not JSON' })), null);
  }
  const parsed = callSchema.safeParse(json);
  const callback = typeof (json as { funcCallback?: unknown })?.funcCallback === 'string' ? (json as { funcCallback: string }).funcCallback : null;
  if (!parsed.success) return frame(failure(ctx, new KysoError('serviceBadRequest', { detail: parsed.error.issues[0]?.message ?? 'call' })), callback);
  const origin = canonicalOrigin(req.origin);
  try {
    if (!origin) throw new KysoError('serviceOriginMissing');
    ctx.admission.hit(origin);
  } catch (e) {
    return frame(failure(ctx, e), callback);
  }
  const answer = await call(ctx, origin, parsed.data, req.signal).catch((e: unknown) => failure(ctx, e));
  // A signed PDF comes back already framed, as bytes.
  return Buffer.isBuffer(answer) ? answer : frame(answer, callback);
}
