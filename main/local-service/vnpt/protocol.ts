/**
 * The VNPT-CA Plugin wire format, as its public JavaScript library speaks it: one WebSocket
 * at `wss://localhost:4433/plugin` (4434, 4435 when taken) kept open for several calls, each
 * a JSON `{functionID, funcCallback, args, domain}`; each reply a raw string
 * `"<result>*<callbackName>"` that the library splits at the `*`. `domain` is what the page's
 * own script says it is, so Kyso never trusts it: the Origin header decides.
 */
import { z } from 'zod';

/** Function ids of the library. */
export const FN = {
  GetCertInfo: 0,
  SignPDF: 2,
  SignOFFICE: 3,
  chooseFile: 5,
  setLicenseKey: 6,
  checkPlugin: 7,
  signArrDataAdvanced: 10,
  getVersion: 11,
  SignPDFMultiplePages: 12,
  ShowCertificateViewer: 20,
  SetLanguage: 23,
  VerifyPdf: 42,
  VerifyPdfAdvanced: 43,
} as const;

/** Result codes of signing calls. */
export const CODE = {
  ok: 0,
  badInput: 1,
  noCertificate: 2,
  signFailed: 3,
  noPrivateKey: 4,
  unknown: 5,
  pageMissing: 6,
  pageInvalid: 7,
  cardNotFound: 8,
  invalidSignatureData: 10,
  cancelled: 11,
} as const;

/** One call. */
export const callSchema = z.object({
  functionID: z.number().int(),
  funcCallback: z.string().max(200).nullish(),
  args: z.array(z.unknown()).max(20).nullish(),
  domain: z.string().max(2000).nullish(),
}).passthrough();
/** A parsed call. */
export type VnptCall = z.output<typeof callSchema>;

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]).nullish();
const str = z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined ? undefined : String(v)));
const bool = z.union([z.boolean(), z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined ? undefined : v === true || v === 1 || v === '1' || v === 'true'));

/**
 * SignPDF options (the library's PdfSigner; it sends null for everything unset). Kyso uses
 * the rectangle, visibility, signer text, image and certificate serial; the page's TSA
 * settings are ignored (the app's own timestamp authority is used), and so are encryption
 * and layout switches it does not draw.
 */
export const pdfOptionsSchema = z.object({
  page: num,
  llx: num,
  lly: num,
  urx: num,
  ury: num,
  SigTextSize: num,
  Signer: str,
  SignerPosition: str,
  SigningTime: str,
  Description: str,
  ImageBase64: str,
  SigColorRGB: str,
  CertificateSerial: str,
  TsaUrl: str,
  TsaUsername: str,
  TsaPassword: str,
  SigType: num,
  SigVisible: bool,
}).passthrough();
/** Parsed SignPDF options. */
export type PdfOptions = z.output<typeof pdfOptionsSchema>;

/** One entry of signArrDataAdvanced's list (itself a JSON string). */
export const arrItemSchema = z.object({ data: z.string(), type: z.string().max(20).nullish(), sigOptions: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish() }).passthrough();

/** The reply frame: the result, `*`, the callback name (never containing `*`). */
export function frame(result: string, callback: string | null | undefined): string {
  const name = (callback ?? '').replace(/[^\w$.]/g, '') || 'callbackDefault';
  return `${result}*${name}`;
}

/**
 * A successful signing result framed for the page, `{"code":0,"data":"<base64>","error":""}*cb`,
 * built as bytes from the signed file read in pieces: a 100 MB PDF becomes one 133 MB buffer
 * instead of several strings of that size.
 */
export async function framedFileResult(file: string, callback: string | null | undefined): Promise<Buffer> {
  const { open } = await import('node:fs/promises');
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.from('{"code":0,"data":"');
    const tail = Buffer.from(frame('","error":""}', callback));
    const out = Buffer.allocUnsafe(head.length + Math.ceil(size / 3) * 4 + tail.length);
    let pos = head.copy(out, 0);
    // 3 MiB reads: a multiple of 3 bytes, so the pieces' base64 join without padding inside.
    const chunk = Buffer.allocUnsafe(3 << 20);
    for (let off = 0; off < size; ) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, size - off), off);
      if (!bytesRead) break;
      pos += out.write(chunk.subarray(0, bytesRead).toString('base64'), pos, 'latin1');
      off += bytesRead;
    }
    pos += tail.copy(out, pos);
    return out.subarray(0, pos);
  } finally {
    await fh.close();
  }
}

/** A signing result as the library parses it. */
export function result(code: number, data = '', error = ''): string {
  return JSON.stringify({ code, data, error });
}

/** Options from the second SignPDF argument (a JSON string, an object, or nothing). */
export function parseOptions(raw: unknown): { ok: true; options: PdfOptions } | { ok: false; error: string } {
  let v = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) v = {};
    else {
      try {
        v = JSON.parse(raw);
      } catch {
        return { ok: false, error: 'options are not JSON' };
      }
    }
  }
  if (v === null || v === undefined) v = {};
  const p = pdfOptionsSchema.safeParse(v);
  return p.success ? { ok: true, options: p.data } : { ok: false, error: p.error.issues.slice(0, 2).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}
