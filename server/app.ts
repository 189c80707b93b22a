/** The reference inbox server: HTTP(S) routes over Auth, Inbox and the event hub. */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isKysoError, KysoError } from '../main/api/errors.js';
import { DEFAULT_LIMITS, endpoints, MESSAGE_ID_HEADER, messageIdSchema, pageQuerySchema } from '../main/exchange/protocol.js';
import { Auth } from './auth.js';
import { Gateway, type GatewayOptions } from './axis/gateway.js';
import { chosenBlobs, saveBlobs } from './blobs/choice.js';
import { openBlobStore } from './blobs/open.js';
import type { BlobStore } from './blobs/store.js';
import { blobReferences } from './blobs/refs.js';
import { DEFAULT_SWEEP, scheduleSweeps, type SweepSchedule } from './blobs/sweeper.js';
import { CertChecker, type TrustConfig } from './certs.js';
import type { Repo } from './db/repo.js';
import { LocalBus, PgBus, type Bus, type ListenRetry, type Notice } from './bus.js';
import { EventHub, type FeedSource } from './events.js';
import { bodyDeadline, DEFAULT_CAPS, DEFAULT_TIMEOUTS, guardServer, serverOptions, type BodyDeadline, type Caps, type Timeouts } from './guard.js';
import { bearer, clientAddress, normalizeAddress, readBody, readJson, requestGone, sendError, sendOk } from './http.js';
import { Inbox, inboxItem, statusItem, type Limits } from './inbox.js';
import { lockSqliteData } from './instance-lock.js';
import { observeRequest, type RequestContext } from './ops/access.js';
import { answerProbe, HEALTH_PATH, READY_PATH, startMetricsListener } from './ops/endpoints.js';
import { readinessProbe } from './ops/health.js';
import { Lifecycle, refuseWhileDraining } from './ops/lifecycle.js';
import { createLogger, requestIdOf, type LogSink } from './ops/log.js';
import { ServerMetrics } from './ops/metrics.js';
import { loadAnchors, loadCrls, openRepo, type DbChoice } from './store.js';
import { watchTrust } from './trust-watch.js';

/** How to run a server. */
export interface ServerOptions extends DbChoice {
  dataDir: string;
  port?: number;
  host?: string;
  /** Extra trust anchor files (PEM/DER), added to DATA/trust. */
  trustFiles?: string[];
  crlFiles?: string[];
  offline?: boolean;
  revocation?: TrustConfig['revocation'];
  tls?: { cert: Buffer; key: Buffer };
  limits?: Partial<Limits>;
  ttl?: { challengeMs: number; sessionMs: number };
  /** Keep-alive and session re-check period of event streams (default 15 s). */
  eventPingMs?: number;
  /** The gateway to the national axis (links are configured with `kyso server axis add`); false turns it off. */
  axis?: GatewayOptions | false;
  /** Blob store: `local` (DATA/blobs, default) or s3://bucket/prefix (server/blobs/open.ts); remembered in DATA/server.json. */
  blobs?: string;
  /** An opened blob store to use instead of `blobs` (tests wrap one). */
  blobStore?: BlobStore;
  /** Environment the S3 endpoint and credentials are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Orphan blob sweeps (default hourly, grace one day); false: none. */
  sweep?: SweepSchedule | false;
  /**
   * Addresses of reverse proxies in front of the server: from them, the caller's address is
   * taken from X-Forwarded-For (per-address caps, log); their own connections are not capped.
   */
  trustedProxies?: string[];
  /** Request time limits (defaults: guard.ts DEFAULT_TIMEOUTS). */
  timeouts?: Partial<Timeouts>;
  /** Connections per address, event streams per session (defaults: guard.ts DEFAULT_CAPS). */
  caps?: Partial<Caps>;
  /**
   * How often the trust anchors and CRLs on disk are looked at (default 30 s): when they
   * change they are reloaded and the sessions of certificates no longer good end.
   */
  trustReloadMs?: number;
  /** Where the JSON log lines go (default stderr). */
  log?: LogSink;
  /** A listener of its own for GET /metrics (and the probes); none by default. */
  metrics?: { host: string; port: number };
  /** Reconnect delays of the PostgreSQL event listener (default 250 ms doubling to 10 s). */
  listenRetry?: ListenRetry;
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  repo: Repo;
  hub: EventHub;
  bus: Bus;
  metrics: ServerMetrics;
  /** URL of the metrics listener, when one was asked for. */
  metricsUrl?: string;
  /** The gateway to the national axis (absent when turned off). */
  gateway?: Gateway;
  /** Reloads anchors and CRLs now and ends the sessions no longer good; the ids of their users. */
  reloadTrust(): Promise<number[]>;
  /**
   * Graceful stop (SIGTERM): not ready any more, no new connections, event streams ended with
   * a reconnect hint, requests in flight given up to `boundMs` to finish; then close().
   * Resolves with how many requests had to be cut.
   */
  shutdown(boundMs: number): Promise<number>;
  /** Stops at once (open requests are cut). */
  close(): Promise<void>;
}

/** The event feeds' reads over the repository. */
function feedSource(repo: Repo): FeedSource {
  return {
    lastSeqs: (org) => repo.lastSeqs(org),
    inboxAfter: async (org, after, limit) => (await repo.inbox(org, after, limit)).map(inboxItem),
    statusesAfter: async (org, after, limit) => (await repo.statusesTo(org, after, limit)).map(statusItem),
  };
}

/** A short reason for the log (never a stack for expected trouble). */
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 300);

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, params: Record<string, string>) => Promise<void>;

/** A route's path template (`:name` parameters) as a pattern. */
function compileRoute(path: string): RegExp {
  return new RegExp('^' + path.replace(/:(\w+)/g, '(?<$1>[^/]+)') + '$');
}

/** Starts the server; resolves once it listens. */
/** How long a refused upload may keep sending before the reply (then the socket is closed). */
const DRAIN_MS = 60_000;

/**
 * The request body through a pipe: a reader that stops early (a refused package) does not
 * destroy the request, so the rest can still be drained and answered. A client that goes
 * away still ends the body with an error.
 */
function detachedBody(req: IncomingMessage): PassThrough {
  const body = new PassThrough();
  req.pipe(body);
  const aborted = () => body.destroy(Object.assign(new Error('request aborted'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  req.once('error', aborted).once('close', () => {
    if (!req.complete) aborted();
  });
  return body;
}

/** Resolves when the request body has been read to its end, closed, or after `ms`. */
function bodyEnd(req: IncomingMessage, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    req.once('end', done).once('close', done).once('error', done);
  });
}

/** A path segment decoded; bad percent-encoding is the caller's error (400), not ours (500). */
function decodePathPart(v: string, pathname: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    throw new KysoError('exBadRequest', { reason: `bad percent-encoding in ${pathname.slice(0, 100)}` });
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!opts.tls && !isLoopback(host)) throw new KysoError('exPlainHttpNotLoopback');
  for (const p of opts.trustedProxies ?? []) if (!isIP(p)) throw new KysoError('exBadRequest', { reason: `trusted proxy must be an IP address: ${p}` });
  const log = createLogger(opts.log);
  const repo = await openRepo(opts.dataDir, opts);
  const cleanup: (() => Promise<void> | void)[] = [() => repo.db.close()];
  const unwind = async () => {
    for (const fn of cleanup.reverse()) await fn();
  };
  let blobs: BlobStore;
  let bus: Bus;
  try {
    // SQLite serves one instance; PostgreSQL any number.
    if (repo.db.kind === 'sqlite') cleanup.unshift(lockSqliteData(opts.dataDir)); // released last
    const blobsSpec = chosenBlobs(opts.dataDir, opts.blobs);
    blobs = opts.blobStore ?? await openBlobStore(blobsSpec, opts.dataDir, opts.env);
    if (!opts.blobStore) saveBlobs(opts.dataDir, blobsSpec);
    bus = repo.db.kind === 'postgres' ? await PgBus.open(repo.db, opts.listenRetry, (msg, f) => log.warn(msg, f)) : new LocalBus();
  } catch (e) {
    await unwind();
    throw e;
  }
  cleanup.push(() => bus.close());
  const trustOnDisk = () => ({ anchors: loadAnchors(opts.dataDir, opts.trustFiles), crls: loadCrls(opts.dataDir, opts.crlFiles) });
  const certs = new CertChecker({ ...trustOnDisk(), offline: opts.offline ?? false, revocation: opts.revocation ?? 'require' });
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const proxies: ReadonlySet<string> = new Set((opts.trustedProxies ?? []).map(normalizeAddress));
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const caps: Caps = { ...DEFAULT_CAPS, ...opts.caps };
  const metrics = new ServerMetrics();
  cleanup.push(() => metrics.stop());
  const life = new Lifecycle();
  /** The body deadline of each request in flight (an authenticated upload extends its own). */
  const deadlines = new WeakMap<IncomingMessage, BodyDeadline>();
  const contexts = new WeakMap<IncomingMessage, RequestContext>();
  // A user's sessions ended here: its streams end here at once and, through the bus, on every instance.
  const announce = (n: Notice) => void bus.send(n).catch((e: unknown) => log.warn('notice not sent', { kind: n.kind, detail: reason(e) }));
  const auth = new Auth(repo, certs, opts.ttl, (userId, certSha256) => {
    hub.endUser(userId);
    announce({ kind: 'user', userId, certSha256 });
  });
  const hub = new EventHub(feedSource(repo), {
    pingMs: opts.eventPingMs,
    maxPerSession: caps.streamsPerSession,
    liveSessions: (hashes) => auth.liveSessions(hashes),
    sent: (type, n) => metrics.eventsSent.inc({ type }, n),
    failed: (what, e) => log.error('event feed failed', { what, detail: reason(e) }),
  });
  bus.onNotice((n) => {
    if (n.kind === 'inbox' || n.kind === 'status') hub.hint(n.kind, n.org);
    else if (n.kind === 'session') hub.endSession(n.tokenSha256);
    else if (n.kind === 'user') {
      hub.endUser(n.userId);
      if (n.certSha256) certs.forget(n.certSha256);
    } else certs.reload(trustOnDisk());
  });
  // Notices sent while the listener was down are lost: read every feed again from its cursors.
  bus.onReconnect(() => hub.resyncAll());
  metrics.streams.from(() => hub.count());
  metrics.listener.from(() => (bus.connected ? 1 : 0));
  const reloadTrust = async () => {
    certs.reload(trustOnDisk());
    const ended = await auth.recheckAll();
    announce({ kind: 'trust' });
    return ended;
  };
  const ready = readinessProbe([
    { name: 'database', check: async () => void (await repo.db.get('SELECT 1 AS x')) },
    { name: 'blobs', check: async () => void (await blobs.exists('0'.repeat(64))) },
    { name: 'events', check: async () => {
      if (!bus.connected) throw new Error('not listening to the other instances (reconnecting)');
    } },
  ], () => life.draining);

  const gateway = opts.axis === false ? undefined : new Gateway(repo, blobs, bus, limits, { log: (line) => log.warn('axis', { detail: line }), ...opts.axis });
  const inbox = new Inbox(repo, blobs, certs, bus, limits, gateway);
  if (gateway) {
    await gateway.start();
    // Stopped before the database closes (cleanup runs in reverse).
    cleanup.push(() => gateway.stop());
    metrics.relayQueueDepth.from(() => gateway.axis.pendingCount());
  }
  /** The caller's session; its organization and user go into the request's log line. */
  const session = async (req: IncomingMessage) => {
    const s = await auth.session(bearer(req));
    const ctx = contexts.get(req);
    if (ctx) Object.assign(ctx, { org: s.orgCode, user: s.userId });
    return s;
  };
  const msgIdOf = (v: string | string[] | undefined) => {
    const r = messageIdSchema.safeParse(Array.isArray(v) ? v[0] : v);
    if (!r.success) throw new KysoError('exBadRequest', { reason: `missing or invalid ${MESSAGE_ID_HEADER} header` });
    return r.data;
  };
  const page = (url: URL) => {
    const r = pageQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!r.success) throw new KysoError('exBadRequest', { reason: 'invalid cursor or limit' });
    return { after: Number(r.data.cursor ?? 0), limit: r.data.limit };
  };

  const table: [string, string, Handler][] = [
    ['GET', endpoints.health, async (_q, res) => sendOk(res, { name: 'kyso-inbox', version: 1 })],
    ['POST', endpoints.challenge, async (req, res) => sendOk(res, await auth.challenge(Date.now(), clientAddress(req, proxies)))],
    ['POST', endpoints.login, async (req, res) => {
      try {
        const { userId, ...r } = await auth.login(await readJson(req));
        await repo.audit({ actorOrg: r.organization.code, actorUser: userId, action: 'login', target: null, detail: {} });
        sendOk(res, r);
      } catch (e) {
        await repo.audit({ actorOrg: null, actorUser: null, action: 'login.refused', target: null, detail: { code: e instanceof KysoError ? e.code : 'internal' } });
        throw e;
      }
    }],
    ['POST', endpoints.logout, async (req, res) => {
      const t = bearer(req);
      if (t) {
        const h = await auth.logout(t);
        hub.endSession(h);
        announce({ kind: 'session', tokenSha256: h });
      }
      sendOk(res, {});
    }],
    ['GET', endpoints.directory, async (req, res) => {
      await session(req);
      // Bodies reached through the national axis follow the province's own, marked as outside.
      const outside = gateway ? (await gateway.axis.outsideBodies()).map((a) => ({ code: a.code, name: a.name, parent: a.parent, outside: true })) : [];
      sendOk(res, { organizations: [...(await repo.orgs()), ...outside] });
    }],
    ['POST', endpoints.packages, async (req, res) => {
      const s = await session(req);
      const id = msgIdOf(req.headers[MESSAGE_ID_HEADER]);
      if (Number(req.headers['content-length'] ?? 0) > limits.maxPackageBytes) throw new KysoError('exTooLarge', { limit: limits.maxPackageBytes });
      // Authenticated: a large package on a slow link may take long, as long as it keeps moving.
      deadlines.get(req)?.extend();
      // Read through a pipe: when the package is refused part-way, the request itself stays
      // open so its rest can be drained and the client reads our answer (not a broken pipe).
      const r = await inbox.acceptPackage(s, id, detachedBody(req), () => requestGone(req)).catch((e: unknown) => {
        metrics.packages.inc({ outcome: 'refused' });
        throw e;
      });
      metrics.packages.inc({ outcome: r.duplicate ? 'duplicate' : 'accepted' });
      if (!r.duplicate) metrics.deliveries.inc({}, r.recipients.length);
      sendOk(res, r, r.duplicate ? 200 : 201);
    }],
    ['GET', endpoints.inbox, async (req, res, url) => {
      const s = await session(req);
      const { after, limit } = page(url);
      const items = (await repo.inbox(s.orgCode, after, limit)).map(inboxItem);
      sendOk(res, { items, nextCursor: items.length ? String(items[items.length - 1]!.seq) : null });
    }],
    ['GET', endpoints.statuses, async (req, res, url) => {
      const s = await session(req);
      const { after, limit } = page(url);
      const items = (await repo.statusesTo(s.orgCode, after, limit)).map(statusItem);
      sendOk(res, { items, nextCursor: items.length ? String(items[items.length - 1]!.seq) : null });
    }],
    ['GET', endpoints.messagePackage, async (req, res, url, p) => {
      const s = await session(req);
      const m = await inbox.packageFor(s, msgIdOf(p.messageId));
      const body = await blobs.get(m.packageSha256);
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(m.size), 'x-kyso-sha256': m.packageSha256 });
      await pipeline(body, res);
    }],
    ['GET', endpoints.sentMessage, async (req, res, url, p) => {
      const s = await session(req);
      sendOk(res, await inbox.sentMessage(s, msgIdOf(p.messageId)));
    }],
    ['POST', endpoints.status, async (req, res) => {
      const s = await session(req);
      const id = msgIdOf(req.headers[MESSAGE_ID_HEADER]);
      const r = await inbox.acceptStatus(s, id, await readBody(req, limits.maxStatusBytes));
      if (!r.duplicate) metrics.statuses.inc();
      sendOk(res, r, r.duplicate ? 200 : 201);
    }],
    ['POST', endpoints.eventsTicket, async (req, res) => {
      const s = await session(req);
      sendOk(res, await auth.issueTicket(s.tokenSha256));
    }],
    ['GET', endpoints.events, async (req, res, url) => {
      // The header, or a ticket (single use, this endpoint only) for an EventSource.
      const ticket = url.searchParams.get('ticket');
      const s = ticket ? await auth.sessionByHash(await auth.redeemTicket(ticket)) : await session(req);
      const ctx = contexts.get(req);
      if (ctx) Object.assign(ctx, { org: s.orgCode, user: s.userId, stream: true });
      await hub.attach(s.orgCode, res, { tokenSha256: s.tokenSha256, userId: s.userId });
      // A stream lasts until its client leaves or the instance stops: not a request to wait for.
      life.untrack(res);
    }],
  ];
  /** Method, pattern, handler, and the template (the route label of logs and metrics). */
  const routes = table.map(([method, path, h]) => [method, compileRoute(path), h, path] as const);

  const handle = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => {
    const url = new URL(req.url ?? '/', 'http://server');
    for (const [method, re, h, template] of routes) {
      const m = re.exec(url.pathname);
      if (!m) continue;
      if (req.method !== method) continue;
      ctx.route = template;
      const params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodePathPart(v, url.pathname)]));
      return h(req, res, url, params);
    }
    if (req.method === 'GET' && (url.pathname === HEALTH_PATH || url.pathname === READY_PATH)) {
      ctx.route = url.pathname;
      await answerProbe(url.pathname, res, ready);
      return;
    }
    throw new KysoError('exNotFound', { what: url.pathname });
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const peerIsProxy = proxies.has(normalizeAddress(req.socket.remoteAddress ?? ''));
    // Read now: once the client is gone its socket no longer knows the address.
    const ctx: RequestContext = { id: requestIdOf(req, peerIsProxy), client: clientAddress(req, proxies) || '?', started: performance.now(), route: '-' };
    contexts.set(req, ctx);
    observeRequest(req, res, ctx, log, metrics);
    const probe = (req.url ?? '').startsWith(READY_PATH) || (req.url ?? '').startsWith(HEALTH_PATH);
    if (!probe && refuseWhileDraining(life, req, res)) return;
    life.track(res);
    deadlines.set(req, bodyDeadline(req, timeouts));
    handle(req, res, ctx).catch(async (e: unknown) => {
      // Unread request bodies are dropped; the connection closes after the error reply. A client
      // still sending would get EPIPE instead of the reply and retry a refused package for an
      // hour: let it finish first (bounded), unless the refusal is the body's size itself.
      req.unpipe();
      req.resume();
      const tooLarge = isKysoError(e) && (e.code === 'exTooLarge' || e.code === 'edxmlTooLarge');
      if (!req.complete && !req.destroyed && !tooLarge) await bodyEnd(req, DRAIN_MS);
      ctx.error = sendError(res, e, requestGone(req));
    });
  };
  const server: Server = opts.tls ? createHttps({ cert: opts.tls.cert, key: opts.tls.key, ...serverOptions(timeouts) }, listener) : createHttp(serverOptions(timeouts), listener);
  guardServer(server, timeouts, caps, (a) => proxies.has(normalizeAddress(a)));
  cleanup.push(() => hub.close());
  let metricsUrl: string | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    if (opts.metrics) {
      const m = await startMetricsListener(opts.metrics.host, opts.metrics.port, metrics, ready);
      metricsUrl = m.url;
      cleanup.push(() => m.close());
    }
  } catch (e) {
    server.close();
    await unwind();
    throw e;
  }
  const trustSources = [path.join(opts.dataDir, 'trust'), path.join(opts.dataDir, 'crl'), ...(opts.trustFiles ?? []), ...(opts.crlFiles ?? [])];
  cleanup.push(watchTrust(trustSources, opts.trustReloadMs ?? 30_000, async () => void (await reloadTrust()), (e) => log.error('reloading trust material failed', { detail: reason(e) })));
  const port = (server.address() as AddressInfo).port;
  const sweeps = opts.sweep === false ? undefined : scheduleSweeps(blobs, blobReferences(repo.db), opts.sweep ?? DEFAULT_SWEEP, (line) => log.info('sweep', line as Record<string, unknown>));
  if (sweeps) cleanup.push(() => sweeps.stop());
  const url = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info('listening', { url, db: repo.db.kind, blobs: blobs.kind, instances: bus.shared ? 'shared' : 'single', ...(metricsUrl ? { metrics: metricsUrl } : {}) });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await unwind();
  })());
  return {
    url,
    port,
    repo,
    hub,
    bus,
    metrics,
    ...(metricsUrl ? { metricsUrl } : {}),
    ...(gateway ? { gateway } : {}),
    reloadTrust,
    async shutdown(boundMs: number) {
      life.draining = true;
      metrics.draining.set(1);
      log.info('draining', { inFlight: life.active, boundMs });
      // Streams first: their clients reconnect at once, and find the other instances (this one no longer accepts).
      hub.shutdown(1_000);
      const cut = await life.drain(server, boundMs);
      log.info('stopped', { cut });
      await close();
      return cut;
    },
    close,
  };
}
