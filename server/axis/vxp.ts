/**
 * Client of the VXP platform (the national document axis) as the public SDK speaks to it:
 * POST {endpoint}/{call} with the signed XroadVnpt-* headers (vxp-headers.ts), JSON answers
 * `{status: OK|FAIL, ErrorCode, ErrorDesc, ...}` validated with zod, through the one bounded
 * fetcher. The secret is read from its reference at every call and never logged.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { KysoError, isKysoError } from '../../main/api/errors.js';
import { fetchBytes, openUrl, type BodyPart } from '../../main/net/fetch.js';
import { checkAnswerSignature, parseJson, shortText, validateAnswer } from './answers.js';
import { JsonBlobError, readJsonBlob } from './json-blob.js';
import type { AxisAck, AxisAgency, AxisClient, AxisListed, LinkConfig } from './types.js';
import { VXP_PATHS, VXP_SIGN_ORDER, vxpHashFile, vxpHeaders, type VxpCall } from './vxp-headers.js';

const idSchema = z.union([z.string().min(1).max(200), z.number().int()]).transform(String);
const envelope = z.looseObject({
  status: z.string(),
  ErrorCode: z.union([z.string(), z.number()]).nullish(),
  ErrorDesc: z.string().nullish(),
});
/** `to` as the list shows it: a code, a JSON array text, or an array of codes or `{code}`. */
const toSchema = z
  .union([z.string(), z.array(z.union([z.string(), z.looseObject({ code: z.string() })]))])
  .transform((v): string[] => {
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : x.code));
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        const a = JSON.parse(t) as unknown;
        if (Array.isArray(a)) return a.map((x) => (typeof x === 'string' ? x : String((x as { code?: unknown })?.code ?? ''))).filter(Boolean);
      } catch {
        return [];
      }
    }
    return t ? t.split(/[;,]/).map((s) => s.trim()).filter(Boolean) : [];
  });
const listSchema = envelope.extend({
  data: z.array(z.looseObject({ docId: idSchema, from: z.string().max(200).nullish(), to: toSchema.nullish() })).max(100_000).nullish(),
});
const agenciesSchema = envelope.extend({
  data: z.array(z.looseObject({
    code: z.string().min(1).max(100),
    name: z.string().min(1).max(500),
    pid: z.union([z.string(), z.number()]).nullish(),
    parentCode: z.string().nullish(),
  })).max(100_000),
});
const sendSchema = envelope.extend({ DocId: idSchema.nullish(), docId: idSchema.nullish() });

/** Settings the VXP client needs. */
export interface VxpOptions {
  link: string;
  endpoint: string;
  config: LinkConfig;
  /** Reads the secret (from its reference) at each call. */
  secret: () => string;
}

/** VXP calls over main/net/fetch.ts. */
export class VxpClient implements AxisClient {
  constructor(private readonly o: VxpOptions) {
    if (!o.config.systemId) throw new KysoError('cliMissingValue', { option: '--system-id' });
  }

  private url(call: VxpCall): string {
    return `${this.o.endpoint.replace(/\/+$/, '')}/${VXP_PATHS[call]}`;
  }

  private headers(call: VxpCall, secret: string, contentType: string, extra: Record<string, string>): Record<string, string> {
    return vxpHeaders(call, { systemId: this.o.config.systemId!, secret, contentType, extra, order: this.o.config.signOrder[call] ?? VXP_SIGN_ORDER[call] });
  }

  /** One JSON call; the envelope must say OK. */
  private async call<T extends z.ZodType>(call: VxpCall, schema: T, extra: Record<string, string>, body: string | { parts: BodyPart[] }, contentType = 'application/json'): Promise<z.infer<T>> {
    const secret = this.o.secret();
    const res = await fetchBytes(this.url(call), { method: 'POST', headers: this.headers(call, secret, contentType, extra), body, timeoutMs: this.o.config.timeoutMs, maxBytes: 16 << 20, maxRedirects: 0 });
    checkAnswerSignature(this.o.link, call, res.headers, createHash('sha256').update(res.body).digest(), secret, this.o.config.requireSignedAnswers);
    const v = validateAnswer(this.o.link, call, schema, parseJson(this.o.link, call, res.body));
    this.ok(call, v as z.infer<typeof envelope>);
    return v;
  }

  private ok(call: string, v: z.infer<typeof envelope>): void {
    if (v.status.toUpperCase() === 'OK') return;
    throw new KysoError('axisRefused', { link: this.o.link, call, code: shortText(v.ErrorCode ?? '-'), detail: shortText(v.ErrorDesc ?? v.status) });
  }

  async agencies(): Promise<AxisAgency[]> {
    const v = await this.call('getAgenciesList', agenciesSchema, {}, '');
    return v.data.map((a) => ({ code: a.code, name: a.name, parent: a.parentCode ?? null }));
  }

  async received(kind: 'edoc' | 'status'): Promise<AxisListed[]> {
    const v = await this.call('getReceivedEdocList', listSchema, { servicetype: 'eDoc', messagetype: kind }, '');
    return (v.data ?? []).map((d) => ({ docId: d.docId, ...(d.from ? { from: d.from } : {}), ...(d.to ? { to: d.to } : {}) }));
  }

  async download(docId: string, _kind: 'edoc' | 'status', dest: string): Promise<{ bytes: number; sha256: string }> {
    const secret = this.o.secret();
    const call = 'getEdoc';
    const res = await openUrl(this.url(call), {
      method: 'POST', headers: this.headers(call, secret, 'application/json', { docId, filePath: this.o.config.filePath }), body: '{}',
      timeoutMs: this.o.config.timeoutMs, maxBytes: Math.ceil(this.o.config.maxPackageBytes * 1.4) + (1 << 20), maxRedirects: 0,
    });
    let r;
    try {
      r = await readJsonBlob(res.body, 'data', dest, this.o.config.maxPackageBytes);
    } catch (e) {
      res.close();
      if (e instanceof JsonBlobError) throw new KysoError(/larger than/.test(e.message) ? 'axisTooLarge' : 'axisBadAnswer', { link: this.o.link, call, detail: e.message, limit: this.o.config.maxPackageBytes });
      throw e;
    }
    try {
      checkAnswerSignature(this.o.link, call, res.headers, r.rawSha256, secret, this.o.config.requireSignedAnswers);
      this.ok(call, validateAnswer(this.o.link, call, envelope, r.fields));
      if (!r.blob) throw new KysoError('axisBadAnswer', { link: this.o.link, call, detail: 'no package in the answer' });
      return r.blob;
    } catch (e) {
      const { unlink } = await import('node:fs/promises');
      await unlink(dest).catch(() => undefined);
      throw e;
    }
  }

  async ack(docId: string, outcome: AxisAck): Promise<void> {
    await this.call('updateStatus', envelope, { docId, status: outcome }, '{}');
  }

  private async send(call: 'sendEdoc' | 'sendStatus', file: string, from: string, to: string[]): Promise<{ docId: string }> {
    const extra: Record<string, string> = call === 'sendEdoc'
      ? { servicetype: 'eDoc', messagetype: 'edoc', 'hash-file': await hashFile(file), from, to: JSON.stringify(to.map((code) => ({ code }))) }
      : { messagetype: 'status', 'hash-file': await hashFile(file), from };
    const v = await this.call(call, sendSchema, extra, { parts: [{ file }, '\r\n'] }, 'application/octet-stream');
    const docId = v.DocId ?? v.docId;
    if (!docId) throw new KysoError('axisBadAnswer', { link: this.o.link, call, detail: 'no DocId in the answer' });
    return { docId };
  }

  sendDocument(file: string, from: string, to: string[]): Promise<{ docId: string }> {
    return this.send('sendEdoc', file, from, to);
  }

  sendStatus(file: string, from: string, _to: string[]): Promise<{ docId: string }> {
    return this.send('sendStatus', file, from, []);
  }
}

/** The VXP hash-file of a file on disk (streamed). */
export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return vxpHashFile({ digest: h.digest() });
}

/** True when a failure is the axis refusing or garbling an answer (not the network). */
export function isAxisAnswerError(e: unknown): boolean {
  return isKysoError(e) && ['axisBadAnswer', 'axisRefused', 'axisBadSignature', 'axisTooLarge'].includes(e.code);
}
