/**
 * Client of a provincial integration platform (LGSP) as one public integration uses it:
 * OAuth2 client credentials at `{endpoint}/token`, then bearer calls under a versioned base
 * (`/truclienthong/v1.0.0`): `GET/POST vanbans`, `GET/PUT vanbans/{docId}`, `GET
 * donvilienthongs`, each also carrying the unit's secret id in a header. Answers
 * `{status, errorCode, errorDesc, data | docId}` are validated with zod. Field names that the
 * public material does not show (list entries, directory entries) are read in the forms seen
 * in VXP and in Vietnamese (`maDinhDanh`, `ten`).
 */
import { readFile, unlink } from 'node:fs/promises';
import { z } from 'zod';
import { KysoError } from '../../main/api/errors.js';
import { fetchBytes, openUrl, type FetchOptions } from '../../main/net/fetch.js';
import { parseJson, shortText, validateAnswer } from './answers.js';
import { JsonBlobError, readJsonBlob } from './json-blob.js';
import type { AxisAck, AxisAgency, AxisClient, AxisListed, LinkConfig } from './types.js';

const idSchema = z.union([z.string().min(1).max(200), z.number().int()]).transform(String);
const envelope = z.looseObject({
  status: z.union([z.string(), z.number(), z.boolean()]),
  errorCode: z.union([z.string(), z.number()]).nullish(),
  errorDesc: z.string().nullish(),
});
const codes = z.union([z.string().transform((s) => s.split(/[;,]/).map((x) => x.trim()).filter(Boolean)), z.array(z.string())]);
const listSchema = envelope.extend({
  data: z.array(z.looseObject({ docId: idSchema, from: z.string().max(200).nullish(), to: codes.nullish() })).max(100_000).nullish(),
});
const agencySchema = z
  .looseObject({
    code: z.string().min(1).max(100).optional(),
    maDinhDanh: z.string().min(1).max(100).optional(),
    name: z.string().min(1).max(500).optional(),
    ten: z.string().min(1).max(500).optional(),
    parent: z.string().nullish(),
    maCha: z.string().nullish(),
  })
  .refine((a) => (a.code ?? a.maDinhDanh) && (a.name ?? a.ten), 'needs a code and a name');
const agenciesSchema = envelope.extend({ data: z.array(agencySchema).max(100_000) });
const sendSchema = envelope.extend({ docId: idSchema.nullish(), data: z.unknown().optional() });
const tokenSchema = z.looseObject({ access_token: z.string().min(1).max(8192), expires_in: z.union([z.number(), z.string()]).optional(), token_type: z.string().optional() });

/** Settings the LGSP client needs. */
export interface LgspOptions {
  link: string;
  endpoint: string;
  config: LinkConfig;
  /** The OAuth2 client secret (read from its reference at each token request). */
  secret: () => string;
  /** The unit's secret id (read at each call). */
  secretId: () => string;
}

const ACK: Record<AxisAck, string> = { done: 'DONE', fail: 'FAIL', processing: 'PROCESSING' };

/** LGSP calls over main/net/fetch.ts. */
export class LgspClient implements AxisClient {
  private token: { value: string; until: number } | null = null;

  constructor(private readonly o: LgspOptions) {
    if (!o.config.clientId) throw new KysoError('cliMissingValue', { option: '--client-id' });
  }

  private base(path: string): string {
    return `${this.o.endpoint.replace(/\/+$/, '')}${this.o.config.basePath.replace(/\/+$/, '')}/${path}`;
  }

  private async bearer(force = false): Promise<string> {
    if (!force && this.token && this.token.until > Date.now()) return this.token.value;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.o.config.clientId!, client_secret: this.o.secret() });
    const res = await fetchBytes(`${this.o.endpoint.replace(/\/+$/, '')}${this.o.config.tokenPath}`, {
      method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded', timeoutMs: this.o.config.timeoutMs, maxBytes: 64 << 10, maxRedirects: 0,
    });
    const t = validateAnswer(this.o.link, 'token', tokenSchema, parseJson(this.o.link, 'token', res.body));
    const ttl = Math.max(30, Number(t.expires_in ?? 300) || 300);
    this.token = { value: t.access_token, until: Date.now() + (ttl - 15) * 1000 };
    return t.access_token;
  }

  /** One call with the bearer token; a 401 gets one new token and one more try. */
  private async request(call: string, path: string, opts: FetchOptions): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.bearer(attempt > 0);
      try {
        const headers = { ...opts.headers, authorization: `Bearer ${token}`, [this.o.config.secretIdHeader]: this.o.secretId() };
        return (await fetchBytes(this.base(path), { ...opts, headers, timeoutMs: this.o.config.timeoutMs, maxBytes: opts.maxBytes ?? 16 << 20, maxRedirects: 0 })).body;
      } catch (e) {
        if (attempt === 0 && e instanceof KysoError && e.code === 'netHttpStatus' && e.params.status === 401) continue;
        throw e;
      }
    }
  }

  private async json<T extends z.ZodType>(call: string, path: string, schema: T, opts: FetchOptions): Promise<z.infer<T>> {
    const v = validateAnswer(this.o.link, call, schema, parseJson(this.o.link, call, await this.request(call, path, opts)));
    this.ok(call, v as z.infer<typeof envelope>);
    return v;
  }

  private ok(call: string, v: z.infer<typeof envelope>): void {
    if (['OK', 'SUCCESS', '200', 'TRUE', '1'].includes(String(v.status).toUpperCase())) return;
    throw new KysoError('axisRefused', { link: this.o.link, call, code: shortText(v.errorCode ?? '-'), detail: shortText(v.errorDesc ?? v.status) });
  }

  async agencies(): Promise<AxisAgency[]> {
    const v = await this.json('donvilienthongs', 'donvilienthongs', agenciesSchema, { method: 'GET' });
    return v.data.map((a) => ({ code: (a.code ?? a.maDinhDanh)!, name: (a.name ?? a.ten)!, parent: a.parent ?? a.maCha ?? null }));
  }

  async received(kind: 'edoc' | 'status'): Promise<AxisListed[]> {
    const v = await this.json('vanbans', `vanbans?loaiVanBan=${kind}`, listSchema, { method: 'GET' });
    return (v.data ?? []).map((d) => ({ docId: d.docId, ...(d.from ? { from: d.from } : {}), ...(d.to ? { to: d.to } : {}) }));
  }

  async download(docId: string, _kind: 'edoc' | 'status', dest: string): Promise<{ bytes: number; sha256: string }> {
    const call = 'vanbans/{docId}';
    for (let attempt = 0; ; attempt++) {
      const token = await this.bearer(attempt > 0);
      let res;
      try {
        res = await openUrl(this.base(`vanbans/${encodeURIComponent(docId)}`), {
          method: 'GET', headers: { authorization: `Bearer ${token}`, [this.o.config.secretIdHeader]: this.o.secretId() },
          timeoutMs: this.o.config.timeoutMs, maxBytes: Math.ceil(this.o.config.maxPackageBytes * 1.4) + (1 << 20), maxRedirects: 0,
        });
      } catch (e) {
        if (attempt === 0 && e instanceof KysoError && e.code === 'netHttpStatus' && e.params.status === 401) continue;
        throw e;
      }
      let r;
      try {
        r = await readJsonBlob(res.body, 'data', dest, this.o.config.maxPackageBytes);
      } catch (e) {
        res.close();
        if (e instanceof JsonBlobError) throw new KysoError(/larger than/.test(e.message) ? 'axisTooLarge' : 'axisBadAnswer', { link: this.o.link, call, detail: e.message, limit: this.o.config.maxPackageBytes });
        throw e;
      }
      try {
        this.ok(call, validateAnswer(this.o.link, call, envelope, r.fields));
        if (!r.blob) throw new KysoError('axisBadAnswer', { link: this.o.link, call, detail: 'no package in the answer' });
        return r.blob;
      } catch (e) {
        await unlink(dest).catch(() => undefined);
        throw e;
      }
    }
  }

  async ack(docId: string, outcome: AxisAck): Promise<void> {
    await this.json('PUT vanbans/{docId}', `vanbans/${encodeURIComponent(docId)}`, envelope, { method: 'PUT', body: JSON.stringify({ status: ACK[outcome] }), contentType: 'application/json' });
  }

  private async send(kind: 'edoc' | 'status', file: string, from: string, to: string[]): Promise<{ docId: string }> {
    const data = (await readFile(file)).toString('base64');
    const body = JSON.stringify({ loaiVanBan: kind, from, to, data });
    const v = await this.json('POST vanbans', 'vanbans', sendSchema, { method: 'POST', body, contentType: 'application/json' });
    const docId = v.docId ?? (typeof v.data === 'string' || typeof v.data === 'number' ? String(v.data) : undefined);
    if (!docId) throw new KysoError('axisBadAnswer', { link: this.o.link, call: 'POST vanbans', detail: 'no docId in the answer' });
    return { docId };
  }

  sendDocument(file: string, from: string, to: string[]): Promise<{ docId: string }> {
    return this.send('edoc', file, from, to);
  }

  sendStatus(file: string, from: string, to: string[]): Promise<{ docId: string }> {
    return this.send('status', file, from, to);
  }
}
