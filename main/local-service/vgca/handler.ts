/**
 * Answers one VGCA-compatible request (one message on one connection): GetVersion,
 * GetCertInfo, VerifyPDF, the role endpoints (fetch the page's PDF, ask the user, sign,
 * upload to the page's handler, return its answer verbatim as FileServer) and the batch call.
 * Every failure becomes a reply with Status 1 (11 when the user refused) and a message in the
 * user's language; nothing is uploaded unless the document was signed completely.
 */
import path from 'node:path';
import { t } from '../../../resources/locales/index.js';
import { KysoError } from '../../api/errors.js';
import { dayText, parseLetterDate } from '../../signing/blanks.js';
import { dateVietnam, isoVietnam } from '../../signing/time.js';
import type { AppearanceOptions } from '../../signing/types.js';
import { appVersion } from '../../services/paths.js';
import { verifyFiles } from '../../services/verify.js';
import { serviceDir } from '../config.js';
import { fetchDocument, WorkDir, type FetchedDoc } from '../documents.js';
import { asKysoError, authorize, runSignJob, type ServiceContext } from '../jobs.js';
import { canonicalOrigin } from '../origins.js';
import { sessionHeaders, uploadSigned, uploadUrl } from '../upload.js';
import {
  BATCH_ENDPOINTS, batchRequestSchema, canonicalEndpoint, endpointOf, metaValue, parseJson, SIGN_ENDPOINTS, signRequestSchema,
  UNSUPPORTED_ENDPOINTS, verifyRequestSchema, zodDetail, type BatchRequest, type SignRequest, type VgcaReply,
} from './protocol.js';

/** One incoming request. */
export interface VgcaRequest {
  /** The WebSocket's Origin header. */
  origin: string | undefined;
  /** The request path ("/SignApproved"). */
  path: string;
  message: string;
  /** Aborted when the page closes the connection. */
  signal: AbortSignal;
}

const COPY_FORMS = ['SAO Y', 'SAO LỤC', 'TRÍCH SAO'] as const;

/** The error reply: 11 when the user refused, else 1, with the message in the user's language. */
export function errorReply(ctx: ServiceContext, e: unknown, extra: Partial<VgcaReply> = {}): VgcaReply {
  const k = asKysoError(e);
  return { Status: k.code === 'serviceCancelled' ? 11 : 1, Message: t(ctx.lang(), `error.${k.code}`, k.params), ...extra };
}

/**
 * A date for a stamp: "dd/mm/yyyy" or "yyyy-mm-dd" as the day it names, an ISO time
 * ("2026-11-22T09:00:00+07:00") as its day in Vietnam -> "22/11/2026"; null when it is no date
 * (JavaScript's own parser would read "05/12/2026" as 12 May, or "1" as 2001).
 */
function parsedStampDate(v: string): string | null {
  const day = parseLetterDate(v);
  if (day) return `${dayText(day.day)}/${String(day.month).padStart(2, '0')}/${day.year}`;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v.trim())) return null;
  const d = new Date(v.trim());
  return Number.isNaN(d.getTime()) ? null : dateVietnam(d);
}

/** A date for a stamp (see parsedStampDate); other text as given. */
function stampDate(v: string | undefined): string | undefined {
  if (!v) return undefined;
  return parsedStampDate(v) ?? v.slice(0, 100);
}

/** What the role's stamp prints, taken from the request, and how the dialog shows it. */
function stampFor(role: string, r: SignRequest, now: Date): { appearance: Omit<AppearanceOptions, 'role'>; details: Record<string, string> } {
  const a: Omit<AppearanceOptions, 'role'> = {};
  if (role === 'issuing') {
    if (r.DocNumber) a.documentNumber = r.DocNumber;
    // The issue date goes into the letter's date blanks: text that is no date is refused now,
    // before anything is fetched or asked (the signing engine would refuse it after the PIN).
    if (r.IssuedDate?.trim() && !parsedStampDate(r.IssuedDate)) throw new KysoError('signBadDocumentDate', { date: r.IssuedDate.slice(0, 100) });
    a.documentDate = stampDate(r.IssuedDate?.trim() || undefined) ?? dateVietnam(now);
  } else if (role === 'attachment' || role === 'copy') {
    if (r.DocNumber) a.documentNumber = r.DocNumber;
    if (role === 'copy') {
      const form = metaValue(r.MetaData, ['CopyForm', 'HinhThucSao'])?.toUpperCase();
      a.copyForm = COPY_FORMS.find((f) => f === form) ?? 'SAO Y';
    }
  } else if (role === 'incoming') {
    a.arrivalNumber = metaValue(r.MetaData, ['ArrivalNumber', 'SoDen']) ?? r.DocNumber ?? '';
    a.arrivalDate = stampDate(metaValue(r.MetaData, ['ArrivalDate', 'NgayDen'])) ?? dateVietnam(now);
  }
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (typeof v === 'string' && v) details[`ui.stamp.${k}`] = v;
  return { appearance: a, details };
}

/** The page's MetaData as upload form fields. */
function metaFields(meta: SignRequest['MetaData']): Array<{ key: string; value: string }> {
  return (meta ?? []).map((m) => ({ key: m.Key, value: m.Value ?? '' }));
}

/** Answers GetCertInfo: the certificate the service would sign with (no PIN). */
async function certInfo(ctx: ServiceContext): Promise<VgcaReply> {
  const { cert, der } = await ctx.tokens.certificate();
  return {
    Status: 0,
    Message: '',
    CertInfo: {
      SerialNumber: cert.serial.toUpperCase(), Subject: cert.subject, SubjectCN: cert.commonName, Issuer: cert.issuer,
      NotBefore: cert.notBefore, NotAfter: cert.notAfter, Thumbprint: cert.fingerprint.toUpperCase(), Base64: der.toString('base64'),
    },
  };
}

/** Answers VerifyPDF: fetches the document and validates its signatures. */
async function verify(ctx: ServiceContext, origin: string, message: string, signal: AbortSignal): Promise<VgcaReply> {
  const json = parseJson(message);
  const parsed = verifyRequestSchema.safeParse(typeof json === 'object' && json !== null ? json : { FileName: message.trim() });
  if (!parsed.success) throw new KysoError('serviceBadRequest', { detail: zodDetail(parsed.error) });
  const work = new WorkDir(path.join(serviceDir(ctx.config.home), 'work'));
  try {
    const doc = await fetchDocument(parsed.data.FileName ?? parsed.data.URL, work, {
      origin, allowedHosts: ctx.config.allowedHosts, headers: sessionHeaders(parsed.data.SessionId, parsed.data.JWTToken, ctx.config.sessionCookieName),
      maxBytes: ctx.config.maxFileBytes, timeoutMs: ctx.config.fetchTimeoutMs, signal,
    });
    const [res] = await verifyFiles(ctx.config.home, [doc.path]);
    const sigs = res!.signatures.map((s) => ({
      Signer: s.signer, Kind: s.kind, SigningTime: s.signingTime, TimeSource: s.timeSource, Indication: s.indication, SubIndication: s.subIndication,
      Valid: s.indication === 'TOTAL_PASSED', Level: s.level, CoversWholeDocument: s.coversWholeDocument, IssuingCA: s.issuingCa, Revocation: s.revocation.status,
    }));
    return { Status: 0, Message: '', FileName: doc.name, Signatures: sigs };
  } finally {
    work.dispose();
  }
}

/** One role endpoint: fetch, consent, sign, upload. */
async function signOne(ctx: ServiceContext, origin: string, endpoint: string, r: SignRequest, signal: AbortSignal): Promise<VgcaReply> {
  const role = SIGN_ENDPOINTS[endpoint]!;
  const target = uploadUrl(r.FileUploadHandler, origin, ctx.config.allowedHosts);
  const headers = sessionHeaders(r.SessionId, r.JWTToken, ctx.config.sessionCookieName);
  const now = new Date();
  const work = new WorkDir(path.join(serviceDir(ctx.config.home), 'work'));
  try {
    const { appearance, details } = stampFor(role, r, now);
    const doc = await fetchDocument(r.FileName, work, { origin, allowedHosts: ctx.config.allowedHosts, headers, maxBytes: ctx.config.maxFileBytes, timeoutMs: ctx.config.fetchTimeoutMs, signal });
    const { cert, results } = await runSignJob(ctx, { origin, operation: endpoint, role, docs: [doc], work, appearance, details, signal });
    const res = results[0]!;
    if (!res.output) throw res.error ?? new KysoError('internal', { detail: 'not signed' });
    const answer = await uploadSigned(target, res.output, {
      origin, allowedHosts: ctx.config.allowedHosts, headers, fileName: doc.name, fields: metaFields(r.MetaData),
      timeoutMs: ctx.config.uploadTimeoutMs, maxAnswerBytes: ctx.config.maxAnswerBytes, signal,
    });
    ctx.audit.write({ origin, operation: endpoint, mode: ctx.consent.mode, outcome: 'uploaded', document: { name: doc.name, url: doc.url, size: doc.size, sha256: doc.sha256 }, certificate: { serial: cert.serial, subject: cert.subject }, upload: { url: target.origin + target.pathname, answerBytes: Buffer.byteLength(answer) } });
    return {
      Status: 0, Message: t(ctx.lang(), 'service.message.ok'), FileName: r.FileName ?? doc.name, FileServer: answer,
      ...(role === 'issuing' ? { DocumentNumber: r.DocNumber ?? '', DocumentDate: r.IssuedDate ?? isoVietnam(now) } : {}),
    };
  } finally {
    work.dispose();
  }
}

/** The batch call: one approval and one PIN for the whole list; a result per file. */
async function signBatch(ctx: ServiceContext, origin: string, endpoint: string, r: BatchRequest, signal: AbortSignal): Promise<VgcaReply> {
  if (!r.Files.length) throw new KysoError('serviceBatchEmpty');
  if (r.Files.length > ctx.config.maxBatch) throw new KysoError('serviceBatchTooLarge', { count: r.Files.length, max: ctx.config.maxBatch });
  const target = uploadUrl(r.FileUploadHandler, origin, ctx.config.allowedHosts);
  const headers = sessionHeaders(r.SessionId, r.JWTToken, ctx.config.sessionCookieName);
  const lang = ctx.lang();
  const work = new WorkDir(path.join(serviceDir(ctx.config.home), 'work'));
  try {
    const files = r.Files.map((f) => ({ id: f.FileID, name: f.FileName, url: f.URL ?? f.FileName }));
    const out: Array<Record<string, unknown>> = files.map((f) => ({ ...(f.id !== undefined ? { FileID: f.id } : {}), FileName: f.name ?? f.url ?? '', URL: f.url ?? '', Status: 1, Message: '' }));
    const docs: Array<{ i: number; doc: FetchedDoc }> = [];
    for (const [i, f] of files.entries()) {
      if (signal.aborted) throw new KysoError('cancelled');
      try {
        docs.push({ i, doc: await fetchDocument(f.url, work, { origin, allowedHosts: ctx.config.allowedHosts, headers, maxBytes: ctx.config.maxFileBytes, timeoutMs: ctx.config.fetchTimeoutMs, signal, label: f.name }) });
      } catch (e) {
        out[i]!.Message = errorReply(ctx, e).Message;
      }
    }
    if (!docs.length) return { Status: 1, Message: t(lang, 'error.serviceBatchAllFailed'), Files: out };
    const { results } = await runSignJob(ctx, { origin, operation: endpoint, role: 'approval', docs: docs.map((d) => d.doc), work, appearance: {}, details: {}, signal });
    let ok = 0;
    for (const [j, res] of results.entries()) {
      const row = out[docs[j]!.i]!;
      if (!res.output) {
        row.Message = errorReply(ctx, res.error).Message;
        continue;
      }
      try {
        row.FileServer = await uploadSigned(target, res.output, { origin, allowedHosts: ctx.config.allowedHosts, headers, fileName: res.doc.name, fields: metaFields(r.MetaData), timeoutMs: ctx.config.uploadTimeoutMs, maxAnswerBytes: ctx.config.maxAnswerBytes, signal });
        row.Status = 0;
        row.Message = t(lang, 'service.message.ok');
        ok++;
      } catch (e) {
        row.Message = errorReply(ctx, e).Message;
      }
    }
    const total = r.Files.length;
    return { Status: ok ? 0 : 1, Message: ok === total ? t(lang, 'service.message.ok') : ok ? t(lang, 'service.message.batchPartial', { ok, total }) : t(lang, 'error.serviceBatchAllFailed'), Files: out };
  } finally {
    work.dispose();
  }
}

/** Answers one request; never throws (every failure is a reply). */
export async function handleVgca(ctx: ServiceContext, req: VgcaRequest): Promise<VgcaReply> {
  const endpoint = canonicalEndpoint(endpointOf(req.path));
  let fileName: string | undefined;
  try {
    const origin = canonicalOrigin(req.origin);
    if (!origin) throw new KysoError('serviceOriginMissing');
    ctx.admission.hit(origin);
    if (endpoint === 'GetVersion') return { Status: 0, Message: t(ctx.lang(), 'service.message.version', { version: appVersion() }), Version: appVersion() };
    if (endpoint === 'GetCertInfo') {
      await authorize(ctx, origin, endpoint, 'service.op.GetCertInfo', req.signal);
      return await certInfo(ctx);
    }
    if (endpoint === 'VerifyPDF') {
      await authorize(ctx, origin, endpoint, 'service.op.VerifyPDF', req.signal);
      return await verify(ctx, origin, req.message, req.signal);
    }
    const json = parseJson(req.message);
    const isBatch = BATCH_ENDPOINTS.includes(endpoint) && typeof json === 'object' && json !== null && Array.isArray((json as { Files?: unknown }).Files);
    if (!SIGN_ENDPOINTS[endpoint] && !isBatch) {
      if (UNSUPPORTED_ENDPOINTS[endpoint] || BATCH_ENDPOINTS.includes(endpoint)) throw new KysoError('serviceNotSupported', { endpoint, reason: UNSUPPORTED_ENDPOINTS[endpoint] ?? 'signing other files than PDF' });
      throw new KysoError('serviceUnknownEndpoint', { endpoint: endpoint.slice(0, 100) });
    }
    if (json === undefined || typeof json !== 'object' || json === null || Array.isArray(json)) throw new KysoError('serviceBadRequest', { detail: 'not a JSON object' });
    fileName = typeof (json as { FileName?: unknown }).FileName === 'string' ? (json as { FileName: string }).FileName : undefined;
    // A place in the site's line first (a flood is refused here), then its permission.
    const release = await ctx.admission.enter(origin, req.signal);
    try {
      await authorize(ctx, origin, endpoint, 'service.op.sign', req.signal);
      if (isBatch) {
        const parsed = batchRequestSchema.safeParse(json);
        if (!parsed.success) throw new KysoError('serviceBadRequest', { detail: zodDetail(parsed.error) });
        return await signBatch(ctx, origin, endpoint, parsed.data, req.signal);
      }
      const parsed = signRequestSchema.safeParse(json);
      if (!parsed.success) throw new KysoError('serviceBadRequest', { detail: zodDetail(parsed.error) });
      return await signOne(ctx, origin, endpoint, parsed.data, req.signal);
    } finally {
      release();
    }
  } catch (e) {
    return errorReply(ctx, e, fileName !== undefined ? { FileName: fileName } : {});
  }
}
