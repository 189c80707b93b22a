/**
 * The bed's one loopback HTTP server: /ocsp (and /ocsp/root), /tsa, /crl/<ca>.crl and
 * /ca/<ca>.cer. Services can be switched "down" (HTTP 503) for failure-path tests.
 */
import { X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './pki.js';
import type { Responders } from './responders.js';

/** Services that can be made unavailable. */
export type BedService = 'ocsp' | 'tsa' | 'crl' | 'ca';

const MAX_BODY = 1 << 20;

/** A running bed HTTP server; attach the PKI and responders once they exist. */
export class BedServer {
  private pki?: TestPki;
  private responders?: Responders;
  private readonly down = new Set<BedService>();
  /** Requests served, by service (tests can assert that a client really fetched). */
  readonly hits: Record<BedService, number> = { ocsp: 0, tsa: 0, crl: 0, ca: 0 };

  private constructor(private readonly server: Server, readonly url: string) {}

  /** Listens on 127.0.0.1:`port` (0 = random). */
  static async start(port = 0, host = '127.0.0.1'): Promise<BedServer> {
    const holder: { bed?: BedServer } = {};
    const server = createServer((req, res) => {
      if (!holder.bed) return void res.writeHead(503).end();
      holder.bed.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(e instanceof Error ? e.message : String(e));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    holder.bed = new BedServer(server, `http://${host}:${addr.port}`);
    return holder.bed;
  }

  /** Connects the PKI whose files and responders this server exposes. */
  attach(pki: TestPki, responders: Responders): void {
    this.pki = pki;
    this.responders = responders;
  }

  /** Makes a service answer 503 (true) or work again (false). */
  setDown(service: BedService, isDown: boolean): void {
    if (isDown) this.down.add(service);
    else this.down.delete(service);
  }

  /** Stops listening and drops open connections. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const [, first, second, ...rest] = url.pathname.split('/');
    const service = first as BedService;
    if (!this.pki || !this.responders || !['ocsp', 'tsa', 'crl', 'ca'].includes(service)) return void res.writeHead(404).end();
    if (this.down.has(service)) return void res.writeHead(503).end();
    this.hits[service]++;
    if (service === 'ocsp') {
      // POST /ocsp[/root] with the DER request, or GET /ocsp[/root]/<base64> (RFC 6960 A.1).
      const ca = second === 'root' ? 'root' : 'issuing';
      let body: Buffer;
      if (req.method === 'POST') body = await readBody(req);
      else {
        const b64 = decodeURIComponent((ca === 'root' ? rest : [second ?? '', ...rest]).join('/'));
        body = Buffer.from(b64, 'base64');
      }
      return send(res, 'application/ocsp-response', await this.responders.ocsp(body, ca));
    }
    if (service === 'tsa') {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      return send(res, 'application/timestamp-reply', await this.responders.tsa(await readBody(req)));
    }
    const match = /^(root|issuing)\.(crl|cer)$/.exec(second ?? '');
    if (!match || (service === 'crl') !== (match[2] === 'crl')) return void res.writeHead(404).end();
    const ca = this.pki.ca(match[1] === 'root' ? 'root' : 'issuing');
    if (service === 'crl') return send(res, 'application/pkix-crl', readFileSync(ca.crlPath));
    // DER through node:crypto (an X.509 parser Kyso did not write).
    return send(res, 'application/pkix-cert', new X509Certificate(readFileSync(ca.certPath)).raw);
  }
}

function send(res: ServerResponse, type: string, body: Buffer): void {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new Error('request too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** A loopback URL nothing listens on (connection refused), for "service dead" tests. */
export async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
