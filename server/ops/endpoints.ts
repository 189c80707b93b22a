/**
 * The operations endpoints: `/healthz` and `/readyz` on the service port (a load balancer
 * probes them; they say nothing about users or documents), and `/metrics` only on a listener
 * of its own (`--metrics ADDRESS:PORT`, loopback by default), which the reverse proxy does
 * not forward: the figures are for the operator's Prometheus, not for the internet.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from './health.js';
import type { ServerMetrics } from './metrics.js';

/** Paths of the probes. */
export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Answers a probe path; false when `path` is not one. */
export async function answerProbe(path: string, res: ServerResponse, ready: () => Promise<Readiness>): Promise<boolean> {
  if (path === HEALTH_PATH) {
    json(res, 200, { status: 'alive' });
    return true;
  }
  if (path === READY_PATH) {
    const r = await ready();
    json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
    return true;
  }
  return false;
}

/** The metrics listener: GET /metrics (Prometheus text), and the probes. */
export async function startMetricsListener(host: string, port: number, metrics: ServerMetrics, ready: () => Promise<Readiness>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    void (async () => {
      if (req.method !== 'GET') return json(res, 405, { status: 'FAIL' });
      if (path === METRICS_PATH) {
        const text = await metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
        return res.end(text);
      }
      if (!(await answerProbe(path, res, ready))) json(res, 404, { status: 'FAIL' });
    })().catch(() => res.destroy());
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${a.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
