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
import { chosenBlobs, saveBlobs } from './blobs/choice.js';
import { openBlobStore } from './blobs/open.js';
import type { BlobStore } from './blobs/store.js';
import { blobReferences } from './blobs/refs.js';
import { DEFAULT_SWEEP, scheduleSweeps, type SweepSchedule } from './blobs/sweeper.js';
import { CertChecker, type TrustConfig } from './certs.js';
import type { Repo } from './db/repo.js';
import { EventHub } from './events.js';
import { bodyDeadline, DEFAULT_CAPS, DEFAULT_TIMEOUTS, guardServer, serverOptions, type BodyDeadline, type Caps, type Timeouts } from './guard.js';
import { bearer, clientAddress, normalizeAddress, readBody, readJson, requestGone, sendError, sendOk } from './http.js';
import { Inbox, inboxItem, statusItem, type Limits } from './inbox.js';
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
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  repo: Repo;
  hub: EventHub;
  /** Reloads anchors and CRLs now and ends the sessions no longer good; the ids of their users. */
  reloadTrust(): Promise<number[]>;
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, params: Record<string, string>) => Promise<void>;

function route(path: string): RegExp {
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
  const repo = await openRepo(opts.dataDir, opts);
  const blobsSpec = chosenBlobs(opts.dataDir, opts.blobs);
  const blobs = opts.blobStore ?? await openBlobStore(blobsSpec, opts.dataDir, opts.env).catch(async (e: unknown) => {
    await repo.db.close();
    throw e;
  });
  if (!opts.blobStore) saveBlobs(opts.dataDir, blobsSpec);
  const trustOnDisk = () => ({ anchors: loadAnchors(opts.dataDir, opts.trustFiles), crls: loadCrls(opts.dataDir, opts.crlFiles) });
  const certs = new CertChecker({ ...trustOnDisk(), offline: opts.offline ?? false, revocation: opts.revocation ?? 'require' });
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const proxies: ReadonlySet<string> = new Set((opts.trustedProxies ?? []).map(normalizeAddress));
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const caps: Caps = { ...DEFAULT_CAPS, ...opts.caps };
  const hub = new EventHub(opts.eventPingMs, caps.streamsPerSession);
  /** The body deadline of each request in flight (an authenticated upload extends its own). */
  const deadlines = new WeakMap<IncomingMessage, BodyDeadline>();
  const auth = new Auth(repo, certs, opts.ttl, (userId) => hub.endUser(userId));
  const reloadTrust = async () => {
    certs.reload(trustOnDisk());
    return auth.recheckAll();
  };

  const inbox = new Inbox(repo, blobs, certs, hub, limits);
  const session = (req: IncomingMessage) => auth.session(bearer(req));
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

  const routes: [string, RegExp, Handler][] = [
    ['GET', route(endpoints.health), async (_q, res) => sendOk(res, { name: 'kyso-inbox', version: 1 })],
    ['POST', route(endpoints.challenge), async (req, res) => sendOk(res, auth.challenge(Date.now(), clientAddress(req, proxies)))],
    ['POST', route(endpoints.login), async (req, res) => {
      try {
        const { userId, ...r } = await auth.login(await readJson(req));
        await repo.audit({ actorOrg: r.organization.code, actorUser: userId, action: 'login', target: null, detail: {} });
        sendOk(res, r);
      } catch (e) {
        await repo.audit({ actorOrg: null, actorUser: null, action: 'login.refused', target: null, detail: { code: e instanceof KysoError ? e.code : 'internal' } });
        throw e;
      }
    }],
    ['POST', route(endpoints.logout), async (req, res) => {
      const t = bearer(req);
      if (t) {
        await auth.logout(t);
        hub.endSession(t);
      }
      sendOk(res, {});
    }],
    ['GET', route(endpoints.directory), async (req, res) => {
      await session(req);
      sendOk(res, { organizations: await repo.orgs() });
    }],
    ['POST', route(endpoints.packages), async (req, res) => {
      const s = await session(req);
      const id = msgIdOf(req.headers[MESSAGE_ID_HEADER]);
      if (Number(req.headers['content-length'] ?? 0) > limits.maxPackageBytes) throw new KysoError('exTooLarge', { limit: limits.maxPackageBytes });
      // Authenticated: a large package on a slow link may take long, as long as it keeps moving.
      deadlines.get(req)?.extend();
      // Read through a pipe: when the package is refused part-way, the request itself stays
      // open so its rest can be drained and the client reads our answer (not a broken pipe).
      const r = await inbox.acceptPackage(s, id, detachedBody(req), () => requestGone(req));
      sendOk(res, r, r.duplicate ? 200 : 201);
    }],
    ['GET', route(endpoints.inbox), async (req, res, url) => {
      const s = await session(req);
      const { after, limit } = page(url);
      const items = (await repo.inbox(s.orgCode, after, limit)).map(inboxItem);
      sendOk(res, { items, nextCursor: items.length ? String(items[items.length - 1]!.seq) : null });
    }],
    ['GET', route(endpoints.statuses), async (req, res, url) => {
      const s = await session(req);
      const { after, limit } = page(url);
      const items = (await repo.statusesTo(s.orgCode, after, limit)).map(statusItem);
      sendOk(res, { items, nextCursor: items.length ? String(items[items.length - 1]!.seq) : null });
    }],
    ['GET', route(endpoints.messagePackage), async (req, res, url, p) => {
      const s = await session(req);
      const m = await inbox.packageFor(s, msgIdOf(p.messageId));
      const body = await blobs.get(m.packageSha256);
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(m.size), 'x-kyso-sha256': m.packageSha256 });
      await pipeline(body, res);
    }],
    ['GET', route(endpoints.sentMessage), async (req, res, url, p) => {
      const s = await session(req);
      sendOk(res, await inbox.sentMessage(s, msgIdOf(p.messageId)));
    }],
    ['POST', route(endpoints.status), async (req, res) => {
      const s = await session(req);
      const id = msgIdOf(req.headers[MESSAGE_ID_HEADER]);
      const r = await inbox.acceptStatus(s, id, await readBody(req, limits.maxStatusBytes));
      sendOk(res, r, r.duplicate ? 200 : 201);
    }],
    ['POST', route(endpoints.eventsTicket), async (req, res) => {
      await session(req);
      sendOk(res, auth.issueTicket(bearer(req)!));
    }],
    ['GET', route(endpoints.events), async (req, res, url) => {
      // The header, or a ticket (single use, this endpoint only) for an EventSource.
      const ticket = url.searchParams.get('ticket');
      const token = ticket ? auth.redeemTicket(ticket) : bearer(req);
      const s = await auth.session(token);
      hub.attach(s.orgCode, res, { token: token!, userId: s.userId, valid: () => auth.session(token).then(() => true, () => false) });
    }],
  ];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://server');
    for (const [method, re, h] of routes) {
      const m = re.exec(url.pathname);
      if (!m) continue;
      if (req.method !== method) continue;
      const params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodePathPart(v, url.pathname)]));
      return h(req, res, url, params);
    }
    throw new KysoError('exNotFound', { what: url.pathname });
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    // Read now: once the client is gone its socket no longer knows the address.
    const client = clientAddress(req, proxies) || '?';
    deadlines.set(req, bodyDeadline(req, timeouts));
    handle(req, res).catch(async (e: unknown) => {
      // Unread request bodies are dropped; the connection closes after the error reply. A client
      // still sending would get EPIPE instead of the reply and retry a refused package for an
      // hour: let it finish first (bounded), unless the refusal is the body's size itself.
      req.unpipe();
      req.resume();
      const tooLarge = isKysoError(e) && (e.code === 'exTooLarge' || e.code === 'edxmlTooLarge');
      if (!req.complete && !req.destroyed && !tooLarge) await bodyEnd(req, DRAIN_MS);
      // The path only: a query string may carry a credential.
      const pathname = (req.url ?? '/').split('?')[0]!;
      sendError(res, e, { method: req.method ?? '?', path: pathname, client, gone: requestGone(req) });
    });
  };
  const server: Server = opts.tls ? createHttps({ cert: opts.tls.cert, key: opts.tls.key, ...serverOptions(timeouts) }, listener) : createHttp(serverOptions(timeouts), listener);
  guardServer(server, timeouts, caps, (a) => proxies.has(normalizeAddress(a)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  }).catch(async (e: unknown) => {
    hub.close();
    await repo.db.close();
    throw e;
  });
  const trustSources = [path.join(opts.dataDir, 'trust'), path.join(opts.dataDir, 'crl'), ...(opts.trustFiles ?? []), ...(opts.crlFiles ?? [])];
  const stopTrustWatch = watchTrust(trustSources, opts.trustReloadMs ?? 30_000, async () => void (await reloadTrust()));
  const port = (server.address() as AddressInfo).port;
  const sweeps = opts.sweep === false ? undefined : scheduleSweeps(blobs, blobReferences(repo.db), opts.sweep ?? DEFAULT_SWEEP, (line) => process.stderr.write(JSON.stringify(line) + '\n'));
  const url = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    repo,
    hub,
    reloadTrust,
    async close() {
      await sweeps?.stop();
      stopTrustWatch();
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await repo.db.close();
    },
  };
}
