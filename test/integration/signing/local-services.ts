/**
 * Loopback TSA, OCSP responder and CRL server backed by the real `openssl ts -reply`,
 * `openssl ocsp` and `openssl ca -gencrl` (one openssl process per request), for the signing
 * tests until test/bed's createTestBed lands.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../bed/run.js';
import type { LocalPki } from './local-pki.js';

/** The running services. */
export interface LocalServices {
  tsaUrl: string;
  ocspUrl: string;
  crlUrl: string;
  /** Requests seen per service (to assert e.g. that a dead path made no call). */
  hits: { tsa: number; ocsp: number; crl: number };
  close(): Promise<void>;
}

/** Starts the three services on 127.0.0.1 with random ports; `pkiOf` is read per request so the PKI can embed these URLs. */
export async function startLocalServices(pkiOf: () => LocalPki, opts: { tsaAuth?: { username: string; password: string } } = {}): Promise<LocalServices> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kyso-svc-'));
  let n = 0;
  const hits = { tsa: 0, ocsp: 0, crl: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const pki = pkiOf();
      const body = Buffer.concat(chunks);
      const id = ++n;
      const reqFile = path.join(tmp, `req${id}`);
      const respFile = path.join(tmp, `resp${id}`);
      const reply = (type: string, p: Promise<unknown>) =>
        p.then(
          () => {
            res.writeHead(200, { 'content-type': type });
            res.end(readFileSync(respFile));
          },
          (e: Error) => {
            res.writeHead(500);
            res.end(e.message);
          },
        );
      if (req.url === '/tsa') {
        hits.tsa++;
        if (opts.tsaAuth) {
          const expected = 'Basic ' + Buffer.from(`${opts.tsaAuth.username}:${opts.tsaAuth.password}`).toString('base64');
          if (req.headers.authorization !== expected) {
            res.writeHead(401);
            res.end();
            return;
          }
        }
        writeFileSync(reqFile, body);
        void reply('application/timestamp-reply', run('openssl', ['ts', '-reply', '-config', pki.tsConf, '-queryfile', reqFile, '-out', respFile]));
      } else if (req.url === '/ocsp') {
        hits.ocsp++;
        writeFileSync(reqFile, body);
        const index = path.join(pki.dir, 'inter', 'index.txt');
        void reply('application/ocsp-response', run('openssl', ['ocsp', '-index', index, '-CA', pki.intermediate.cert, '-rsigner', pki.intermediate.cert, '-rkey', pki.intermediate.key, '-reqin', reqFile, '-respout', respFile, '-ndays', '1']));
      } else if (req.url === '/crl') {
        hits.crl++;
        const pem = path.join(tmp, `crl${id}.pem`);
        void reply('application/pkix-crl', run('openssl', ['ca', '-gencrl', '-config', pki.caConf, '-out', pem]).then(() => run('openssl', ['crl', '-in', pem, '-outform', 'DER', '-out', respFile])));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    tsaUrl: `${base}/tsa`,
    ocspUrl: `${base}/ocsp`,
    crlUrl: `${base}/crl`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        rmSync(tmp, { recursive: true, force: true });
      }),
  };
}

/** A URL on a port nobody listens on: a dead service. */
export async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/dead`;
}
