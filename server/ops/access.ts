/**
 * One log line and the metrics of each request, written when its answer is finished or its
 * connection closed: id, method, path (no query), route, status, duration, bytes, caller
 * address, and the organization and user once authenticated. Event streams are logged when
 * they end and kept out of the latency histogram (they last hours).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorOutcome } from '../http.js';
import { logPath, type Logger } from './log.js';
import type { ServerMetrics } from './metrics.js';

/** What the server learns about a request while answering it. */
export interface RequestContext {
  id: string;
  client: string;
  started: number;
  /** The matched route's path template ('-' when none matched). */
  route: string;
  org?: string;
  user?: number;
  stream?: boolean;
  error?: ErrorOutcome;
}

/** Writes the request's line and metrics once it is over. */
export function observeRequest(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, log: Logger, metrics: ServerMetrics): void {
  res.setHeader('x-request-id', ctx.id);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    const seconds = (performance.now() - ctx.started) / 1000;
    const gone = ctx.error?.clientGone ?? (!res.writableFinished && !ctx.stream ? 'connection closed' : undefined);
    const status = gone && !res.headersSent ? 0 : res.statusCode;
    metrics.requests.inc({ route: ctx.route, method: req.method ?? '?', code: String(status) });
    if (!ctx.stream) metrics.latency.observe({ route: ctx.route }, seconds);
    const level = ctx.error?.internal ? 'error' : gone ? 'warn' : 'info';
    log.log(level, ctx.stream ? 'event stream' : 'request', {
      reqId: ctx.id, method: req.method, path: logPath(req.url), route: ctx.route, status, ms: Math.round(seconds * 1000),
      bytesIn: Number(req.headers['content-length'] ?? 0) || undefined,
      bytesOut: Number(res.getHeader('content-length') ?? 0) || undefined,
      client: ctx.client, ...(ctx.org ? { org: ctx.org } : {}), ...(ctx.user !== undefined ? { user: ctx.user } : {}),
      ...(ctx.error && !ctx.error.clientGone ? { error: ctx.error.code } : {}),
      ...(gone ? { clientGone: gone } : {}),
      ...(ctx.error?.internal ? { detail: ctx.error.internal } : {}),
    });
  };
  res.once('finish', finish).once('close', finish);
}
