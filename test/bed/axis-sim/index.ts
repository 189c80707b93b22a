/**
 * A simulator of the national document axis for tests, benchmarks and the demo: the VXP
 * platform's calls (POST /vxp/{call} with signed XroadVnpt-* headers, checked as the real
 * platform does: hmac-check.ts) and an LGSP's (OAuth2 client credentials, bearer REST routes
 * with the unit's secret id), over one shared memory (state.ts). It exists because no real
 * axis can be reached from here. Fault injection: a fraction of calls fail before doing
 * anything, are done but never answered, or answered truncated; delays; and a hook to craft
 * any answer (bad JSON, wrong HMAC, a huge or truncated package).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signAnswer } from './hmac-check.js';
import { handleLgsp, type LgspClientSpec } from './lgsp-routes.js';
import { AxisState, type SimSystem } from './state.js';
import { handleVxp } from './vxp-routes.js';
import { seededRandom } from '../prng.js';

export { AxisState, type SimDoc, type SimSystem } from './state.js';

/** Fault injection; fractions are of all calls, decided per call with a seeded generator. */
export interface SimFaults {
  /** Answer 503 or a FAIL envelope without doing anything. */
  failRate: number;
  /** Do the call, then close the connection without an answer (the caller cannot know it happened). */
  dropRate: number;
  /** Do the call, then cut the answer half way. */
  truncateRate: number;
  /** Wait this long before some calls (delayRate of them). */
  delayMs: number;
  delayRate: number;
}

/** A crafted answer: replaces what the simulator would have said. */
export interface CraftedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: Buffer | string;
}

/** Context of one call, for the `craft` hook. */
export interface CallInfo {
  shape: 'vxp' | 'lgsp';
  call: string;
  systemId: string;
  docId?: string;
}

/** One call as the simulator saw it. */
export interface CallRecord extends CallInfo {
  at: number;
  outcome: 'ok' | 'refused' | 'fail' | 'drop' | 'truncate' | 'crafted' | 'badSignature';
}

const MAX_BODY = 512 << 20;

/** What route handlers get: the state, the request body, and ways to answer. */
export interface SimContext {
  state: AxisState;
  sim: AxisSimulator;
  req: IncomingMessage;
  body: Buffer;
  url: URL;
  /** Answers JSON (signed when the simulator signs answers and the caller is a VXP system). */
  json(value: unknown, info: CallInfo, status?: number): Promise<void>;
  refuse(info: CallInfo, code: string, desc: string): Promise<void>;
}

/** A running simulator. */
export class AxisSimulator {
  readonly state = new AxisState();
  readonly calls: CallRecord[] = [];
  faults: SimFaults = { failRate: 0, dropRate: 0, truncateRate: 0, delayMs: 0, delayRate: 0 };
  /** Sign VXP answers with the caller's secret (the public material does not say the real one does). */
  signAnswers = false;
  /** Allowed distance between a caller's timestamp and now. */
  maxSkewMs = 10 * 60_000;
  /** Replaces an answer (after the call was done) when it returns one. */
  craft: ((info: CallInfo) => CraftedAnswer | undefined) | null = null;
  readonly lgspClients = new Map<string, LgspClientSpec>();
  readonly tokens = new Map<string, { clientId: string; until: number }>();
  private random: () => number;

  private constructor(private readonly server: Server, readonly url: string, seed: number) {
    this.random = seededRandom(seed);
  }

  /** Listens on 127.0.0.1 (port 0: random). */
  static async start(opts: { port?: number; seed?: number; systems?: SimSystem[] } = {}): Promise<AxisSimulator> {
    const holder: { sim?: AxisSimulator } = {};
    const server = createServer((req, res) => {
      holder.sim!.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(e instanceof Error ? e.message : String(e));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const sim = new AxisSimulator(server, `http://127.0.0.1:${port}`, opts.seed ?? 1);
    holder.sim = sim;
    for (const s of opts.systems ?? []) sim.state.addSystem(s);
    return sim;
  }

  /** Base URL of the VXP shape (append /sendEdoc etc.). */
  get vxpUrl(): string {
    return `${this.url}/vxp`;
  }

  /** Base URL of the LGSP shape (`/token`, `/truclienthong/v1.0.0/...`). */
  get lgspUrl(): string {
    return `${this.url}/lgsp`;
  }

  /** Registers an LGSP client bound to a system. */
  addLgspClient(c: LgspClientSpec): void {
    this.lgspClients.set(c.clientId, c);
  }

  /** Reseeds the fault generator. */
  seed(n: number): void {
    this.random = seededRandom(n);
  }

  /** Stops listening and drops open connections. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Counts of calls by outcome. */
  tally(): Record<CallRecord['outcome'], number> {
    const t = { ok: 0, refused: 0, fail: 0, drop: 0, truncate: 0, crafted: 0, badSignature: 0 };
    for (const c of this.calls) t[c.outcome]++;
    return t;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const shape = url.pathname.startsWith('/vxp/') ? 'vxp' : url.pathname.startsWith('/lgsp/') ? 'lgsp' : null;
    if (!shape) return void res.writeHead(404).end();
    const r = this.random();
    const { failRate, dropRate, truncateRate, delayMs, delayRate } = this.faults;
    if (delayMs && this.random() < delayRate) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const fault = r < failRate ? 'fail' : r < failRate + dropRate ? 'drop' : r < failRate + dropRate + truncateRate ? 'truncate' : null;
    const record = (info: CallInfo, outcome: CallRecord['outcome']) => this.calls.push({ ...info, at: Date.now(), outcome });
    const send = async (info: CallInfo, status: number, headers: Record<string, string>, payload: Buffer, outcome: CallRecord['outcome']) => {
      const crafted = this.craft?.(info);
      if (crafted) {
        const b = Buffer.isBuffer(crafted.body) ? crafted.body : Buffer.from(crafted.body);
        record(info, 'crafted');
        return void res.writeHead(crafted.status ?? 200, { 'content-type': 'application/json', 'content-length': String(b.length), ...crafted.headers }).end(b);
      }
      if (fault === 'drop') {
        record(info, 'drop');
        return void res.socket?.destroy();
      }
      if (fault === 'truncate') {
        record(info, 'truncate');
        res.writeHead(status, { ...headers, 'content-length': String(payload.length) });
        res.write(payload.subarray(0, Math.floor(payload.length / 2)));
        await new Promise((resolve) => setTimeout(resolve, 5));
        return void res.socket?.destroy();
      }
      record(info, outcome);
      res.writeHead(status, { ...headers, 'content-length': String(payload.length) }).end(payload);
    };
    const ctx: SimContext = {
      state: this.state, sim: this, req, body, url,
      json: async (value, info, status = 200) => {
        const payload = Buffer.from(JSON.stringify(value));
        const sys = this.state.systems.get(info.systemId);
        const sig = shape === 'vxp' && this.signAnswers && sys ? signAnswer(sys.systemId, sys.secret, payload) : {};
        await send(info, status, { 'content-type': 'application/json', ...sig }, payload, 'ok');
      },
      refuse: async (info, code, desc) => {
        const payload = Buffer.from(JSON.stringify(shape === 'vxp' ? { status: 'FAIL', ErrorCode: code, ErrorDesc: desc } : { status: 'FAIL', errorCode: code, errorDesc: desc }));
        await send(info, 200, { 'content-type': 'application/json' }, payload, code === 'AUTH' ? 'badSignature' : 'refused');
      },
    };
    if (fault === 'fail') {
      const info: CallInfo = { shape, call: url.pathname, systemId: '' };
      record(info, 'fail');
      if (this.random() < 0.5) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      const payload = Buffer.from(JSON.stringify(shape === 'vxp' ? { status: 'FAIL', ErrorCode: '-1', ErrorDesc: 'Hệ thống đang bận' } : { status: 'FAIL', errorCode: '-1', errorDesc: 'Hệ thống đang bận' }));
      return void res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(payload.length) }).end(payload);
    }
    if (shape === 'vxp') await handleVxp(ctx, url.pathname.slice('/vxp/'.length));
    else await handleLgsp(ctx, url.pathname.slice('/lgsp'.length));
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('request too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
