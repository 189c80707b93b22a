/** The VXP calls of the simulated axis: who is calling (systemid + HMAC), then what it asks. */
import { checkSignedCall } from './hmac-check.js';
import type { CallInfo, SimContext } from './index.js';

const header = (ctx: SimContext, name: string): string | undefined => {
  const v = ctx.req.headers[`xroadvnpt-${name}`.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** Answers one VXP call (`call` is the path after /vxp/). */
export async function handleVxp(ctx: SimContext, call: string): Promise<void> {
  const systemId = header(ctx, 'systemid') ?? '';
  const docId = header(ctx, 'docId');
  const messagetype = header(ctx, 'messagetype');
  const signedAs = call === 'sendEdoc' && messagetype === 'status' ? 'sendStatus' : call;
  const info: CallInfo = { shape: 'vxp', call: signedAs, systemId, ...(docId ? { docId } : {}) };
  if (ctx.req.method !== 'POST') return ctx.refuse(info, 'METHOD', 'POST only');
  const sys = ctx.state.systems.get(systemId);
  if (!sys) return ctx.refuse(info, 'AUTH', `unknown system ${systemId}`);
  // The SDK sends the file then CRLF; the hash covers the file alone.
  let file: Buffer | undefined;
  if (call === 'sendEdoc') {
    if (ctx.body.length < 2 || ctx.body[ctx.body.length - 2] !== 0x0d || ctx.body[ctx.body.length - 1] !== 0x0a) return ctx.refuse(info, 'BODY', 'the file must be followed by CRLF');
    file = ctx.body.subarray(0, ctx.body.length - 2);
  }
  const why = checkSignedCall(signedAs, ctx.req.headers, sys.secret, { maxSkewMs: ctx.sim.maxSkewMs, ...(file ? { body: file } : {}) });
  if (why) return ctx.refuse(info, 'AUTH', `Sai chữ ký: ${why}`);
  const ok = { status: 'OK', ErrorCode: '0', ErrorDesc: '' };
  switch (call) {
    case 'getAgenciesList':
      return ctx.json({ ...ok, data: ctx.state.agencies() }, info);
    case 'getReceivedEdocList': {
      if (header(ctx, 'servicetype') !== 'eDoc' || (messagetype !== 'edoc' && messagetype !== 'status')) return ctx.refuse(info, 'PARAM', 'servicetype eDoc, messagetype edoc|status');
      const data = ctx.state.waiting(systemId, messagetype).map((d) => ({
        docId: d.docId, serviceType: 'eDoc', messageType: d.kind, created_time: d.createdAt, updated_time: d.createdAt,
        from: d.from, to: JSON.stringify(d.to.map((code) => ({ code }))), status: d.delivery.get(systemId), status_desc: '',
      }));
      return ctx.json({ ...ok, data }, info);
    }
    case 'getEdoc': {
      if (!header(ctx, 'filePath')) return ctx.refuse(info, 'PARAM', 'filePath is required');
      const d = docId ? ctx.state.readable(systemId, docId) : undefined;
      if (!d) return ctx.refuse(info, 'NOTFOUND', `no document ${docId}`);
      return ctx.json({ ...ok, data: d.bytes.toString('base64') }, info);
    }
    case 'updateStatus': {
      const status = header(ctx, 'status');
      const d = docId ? ctx.state.readable(systemId, docId) : undefined;
      if (!d) return ctx.refuse(info, 'NOTFOUND', `no document ${docId}`);
      if (status !== 'done' && status !== 'fail' && status !== 'processing') return ctx.refuse(info, 'PARAM', 'status done|fail|processing');
      d.delivery.set(systemId, status);
      return ctx.json(ok, info);
    }
    case 'sendEdoc': {
      const from = header(ctx, 'from') ?? '';
      try {
        if (messagetype === 'status') {
          if (!sys.agencies.some((a) => a.code === from)) throw new Error(`agency ${from} is not hosted by ${systemId}`);
          const d = ctx.state.sendStatus(systemId, from, file!);
          return ctx.json({ ...ok, DocId: d.docId }, info);
        }
        if (header(ctx, 'servicetype') !== 'eDoc' || messagetype !== 'edoc') return ctx.refuse(info, 'PARAM', 'servicetype eDoc, messagetype edoc|status');
        const to = (JSON.parse(header(ctx, 'to') ?? '[]') as { code: string }[]).map((t) => t.code);
        const d = ctx.state.sendDocument(systemId, from, to, file!);
        return ctx.json({ ...ok, DocId: d.docId }, info);
      } catch (e) {
        return ctx.refuse(info, 'ROUTE', e instanceof Error ? e.message : String(e));
      }
    }
    default:
      return ctx.refuse(info, 'NOTFOUND', `unknown call ${call}`);
  }
}
