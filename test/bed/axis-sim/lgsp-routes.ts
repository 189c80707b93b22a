/**
 * The LGSP shape of the simulated axis: POST /token (OAuth2 client credentials), then bearer
 * calls under /truclienthong/v1.0.0 that also carry the unit's secret id: GET/POST vanbans,
 * GET/PUT vanbans/{docId}, GET donvilienthongs.
 */
import { randomBytes } from 'node:crypto';
import type { CallInfo, SimContext } from './index.js';

/** An LGSP client: its OAuth2 credentials, its unit secret id and the system it acts for. */
export interface LgspClientSpec {
  clientId: string;
  clientSecret: string;
  secretId: string;
  systemId: string;
  /** Header carrying the secret id (default secretId). */
  secretIdHeader?: string;
}

/** Base path of the REST routes. */
export const LGSP_BASE = '/truclienthong/v1.0.0';

/** Answers one LGSP call (`path` after /lgsp). */
export async function handleLgsp(ctx: SimContext, path: string): Promise<void> {
  const info: CallInfo = { shape: 'lgsp', call: `${ctx.req.method} ${path.replace(/\/vanbans\/[^/]+$/, '/vanbans/{docId}')}`, systemId: '' };
  const ok = { status: 'OK', errorCode: '0', errorDesc: '' };
  if (path === '/token') {
    const form = new URLSearchParams(ctx.body.toString('utf8'));
    const c = ctx.sim.lgspClients.get(form.get('client_id') ?? '');
    if (ctx.req.method !== 'POST' || form.get('grant_type') !== 'client_credentials' || !c || c.clientSecret !== form.get('client_secret')) {
      return ctx.json({ error: 'invalid_client' }, { ...info, call: 'token' }, 401);
    }
    const token = randomBytes(24).toString('hex');
    ctx.sim.tokens.set(token, { clientId: c.clientId, until: Date.now() + 300_000 });
    return ctx.json({ access_token: token, token_type: 'bearer', expires_in: 300 }, { ...info, call: 'token', systemId: c.systemId });
  }
  const auth = /^Bearer (.+)$/.exec(String(ctx.req.headers.authorization ?? ''))?.[1];
  const t = auth ? ctx.sim.tokens.get(auth) : undefined;
  const c = t && t.until > Date.now() ? ctx.sim.lgspClients.get(t.clientId) : undefined;
  if (!c) return ctx.json({ status: 'FAIL', errorCode: '401', errorDesc: 'Unauthorized' }, info, 401);
  info.systemId = c.systemId;
  if (ctx.req.headers[(c.secretIdHeader ?? 'secretId').toLowerCase()] !== c.secretId) return ctx.refuse(info, 'AUTH', 'secret id does not match');
  if (!path.startsWith(`${LGSP_BASE}/`)) return ctx.refuse(info, 'NOTFOUND', path);
  const route = path.slice(LGSP_BASE.length + 1);
  const sys = ctx.state.systems.get(c.systemId)!;
  if (route === 'donvilienthongs' && ctx.req.method === 'GET') {
    return ctx.json({ ...ok, data: ctx.state.agencies().map((a) => ({ maDinhDanh: a.code, ten: a.name, ...(a.parentCode ? { maCha: a.parentCode } : {}) })) }, info);
  }
  if (route === 'vanbans' && ctx.req.method === 'GET') {
    const kind = ctx.url.searchParams.get('loaiVanBan') === 'status' ? 'status' : 'edoc';
    return ctx.json({ ...ok, data: ctx.state.waiting(c.systemId, kind).map((d) => ({ docId: d.docId, from: d.from, to: d.to, loaiVanBan: d.kind, trangThai: 'INITIAL' })) }, info);
  }
  if (route === 'vanbans' && ctx.req.method === 'POST') {
    let body: { loaiVanBan?: string; from?: string; to?: string[]; data?: string };
    try {
      body = JSON.parse(ctx.body.toString('utf8')) as typeof body;
    } catch {
      return ctx.refuse(info, 'PARAM', 'body is not JSON');
    }
    const bytes = Buffer.from(body.data ?? '', 'base64');
    try {
      if (!sys.agencies.some((a) => a.code === body.from)) throw new Error(`agency ${body.from} is not hosted by ${c.systemId}`);
      const d = body.loaiVanBan === 'status' ? ctx.state.sendStatus(c.systemId, body.from!, bytes) : ctx.state.sendDocument(c.systemId, body.from!, body.to ?? [], bytes);
      return ctx.json({ ...ok, docId: d.docId }, info);
    } catch (e) {
      return ctx.refuse(info, 'ROUTE', e instanceof Error ? e.message : String(e));
    }
  }
  const m = /^vanbans\/([^/]+)$/.exec(route);
  if (m) {
    const docId = decodeURIComponent(m[1]!);
    info.docId = docId;
    const d = ctx.state.readable(c.systemId, docId);
    if (!d) return ctx.refuse(info, 'NOTFOUND', `no document ${docId}`);
    if (ctx.req.method === 'GET') return ctx.json({ ...ok, data: d.bytes.toString('base64') }, info);
    if (ctx.req.method === 'PUT') {
      const s = (JSON.parse(ctx.body.toString('utf8') || '{}') as { status?: string }).status;
      const map: Record<string, 'done' | 'fail' | 'processing' | 'initial'> = { DONE: 'done', FAIL: 'fail', PROCESSING: 'processing', INITIAL: 'initial' };
      if (!s || !map[s]) return ctx.refuse(info, 'PARAM', 'status INITIAL|PROCESSING|DONE|FAIL');
      d.delivery.set(c.systemId, map[s]);
      return ctx.json(ok, info);
    }
  }
  return ctx.refuse(info, 'NOTFOUND', `${ctx.req.method} ${path}`);
}
