/**
 * The VGCA Sign Service wire format, as the government CA's public client library and the
 * pages that use it speak it: `wss://127.0.0.1:8987/<Endpoint>`, one text message per
 * connection (a JSON string, or a literal such as `get_cert_info`), one JSON reply.
 * See ../shared/docs/local-signing-api.md; what is uncertain there is isolated here.
 */
import { z } from 'zod';
import type { SignatureRole } from '../../signing/types.js';

/** Reply status: 0 success (pages accept 0 or "0"), 1 error, 11 the user cancelled. */
export type VgcaStatus = 0 | 1 | 11;

/** A reply to a single-document call. */
export interface VgcaReply {
  Status: VgcaStatus;
  Message: string;
  FileName?: string;
  /** The upload handler's answer, verbatim. */
  FileServer?: string;
  DocumentNumber?: string;
  DocumentDate?: string;
  [extra: string]: unknown;
}

/** Endpoints that sign one fetched document, and the Decree 30 role each stamps. */
export const SIGN_ENDPOINTS: Record<string, SignatureRole> = {
  SignApproved: 'approval',
  SignIssued: 'issuing',
  SignIncome: 'incoming',
  SignCopy: 'copy',
  SignAppendix: 'attachment',
  // "Comment" in the client library; Kyso signs it as the initials mark (ký nháy).
  Comment: 'initials',
  SignPDF: 'approval',
};

/**
 * Paths of the batch call behind `vgca_sign_files`. Its path is missing from the public
 * library copy; integrations pass `{FileUploadHandler, SessionId, JWTToken, Files: [...]}`
 * and the library names its paths after the functions (vgca_sign_file -> /SignFile), so
 * `/SignFiles` is accepted, and `/SignFile` when the message carries a Files list.
 */
export const BATCH_ENDPOINTS = ['SignFiles', 'SignFile'];

/** Endpoints of the VGCA service Kyso knows and does not implement (with the reason shown). */
export const UNSUPPORTED_ENDPOINTS: Record<string, string> = {
  SignPDFWP: 'PDF signing with a password-protected key file',
  SignXML: 'XML signing', VerifyXML: 'XML verification', SignXMLP12: 'XML signing with a key file',
  SignOffice: 'Office document signing', VerifyOffice: 'Office document verification',
  SignMsg: 'message signing', VerifyMsg: 'message verification', Auth: 'authentication challenges',
  SignJson: 'JSON signing', Config: 'the configuration window', GetLicenseRequest: 'licences (Kyso needs none)',
};

const text = (max: number) => z.union([z.string().max(max), z.number()]).nullish().transform((v) => (v === null || v === undefined ? undefined : String(v)));

/** One MetaData entry (pages also put their auth tokens here). */
const metaEntry = z.object({ Key: z.union([z.string(), z.number()]).transform(String).pipe(z.string().max(200)), Value: text(8192) }).passthrough();

/** Fields of every single-document sign call. */
export const signRequestSchema = z.object({
  FileUploadHandler: text(4096),
  SessionId: text(8192),
  JWTToken: text(16384),
  FileName: text(4096),
  DocNumber: text(200),
  IssuedDate: text(100),
  MetaData: z.array(metaEntry).max(200).nullish(),
}).passthrough();
/** A parsed sign call. */
export type SignRequest = z.output<typeof signRequestSchema>;

/** The batch call. */
export const batchRequestSchema = z.object({
  FileUploadHandler: text(4096),
  SessionId: text(8192),
  JWTToken: text(16384),
  Files: z.array(z.object({ FileID: text(200), FileName: text(4096), URL: text(4096) }).passthrough()).max(10_000),
  MetaData: z.array(metaEntry).max(200).nullish(),
}).passthrough();
/** A parsed batch call. */
export type BatchRequest = z.output<typeof batchRequestSchema>;

/** VerifyPDF: the document address (its exact field is not public: FileName or URL). */
export const verifyRequestSchema = z.object({ FileName: text(4096), URL: text(4096), SessionId: text(8192), JWTToken: text(16384) }).passthrough();

/** The endpoint name of a request path ("/SignApproved?x" -> "SignApproved"). */
export function endpointOf(pathname: string): string {
  return decodeURIComponent(pathname.split('?')[0]!).replace(/^\/+|\/+$/g, '');
}

/** The known endpoint matching `name`, case-insensitively, or the name itself. */
export function canonicalEndpoint(name: string): string {
  const known = ['GetVersion', 'GetCertInfo', 'VerifyPDF', ...Object.keys(SIGN_ENDPOINTS), ...BATCH_ENDPOINTS, ...Object.keys(UNSUPPORTED_ENDPOINTS)];
  return known.find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

/** Parses a JSON message; undefined when it is not JSON. */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The MetaData value for any of `keys` (case and accents ignored). */
export function metaValue(meta: SignRequest['MetaData'], keys: string[]): string | undefined {
  const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]/gi, '').toLowerCase();
  const want = keys.map(norm);
  return meta?.find((m) => want.includes(norm(m.Key)))?.Value ?? undefined;
}

/** A short, readable summary of what zod refused (for the Message of a bad request). */
export function zodDetail(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
}
