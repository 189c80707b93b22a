/**
 * OCSP and RFC 3161 answers made by REAL OpenSSL, one process per request: `openssl ocsp
 * -index ... -reqin/-respout` reads the CA database as it is now (so a revocation shows at
 * once), and `openssl ts -reply` stamps with the bed's TSA certificate.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IssuedCert, TestPki } from './pki.js';
import { tsaConfig } from './openssl-config.js';
import { run } from './run.js';

/** Answers OCSP requests and timestamp queries for one test PKI. */
export class Responders {
  private readonly work: string;
  private readonly tsaDir: string;
  private seq = 0;
  private tsaQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly pki: TestPki, private readonly ocspCert: IssuedCert, tsaCert: IssuedCert) {
    this.work = path.join(pki.dir, 'requests');
    mkdirSync(this.work, { recursive: true });
    // The TSA config names its files relative to one directory: give it copies there.
    this.tsaDir = path.join(pki.dir, 'tsa');
    mkdirSync(this.tsaDir, { recursive: true });
    if (!tsaCert.keyPath) throw new Error('the TSA needs a software key');
    writeFileSync(path.join(this.tsaDir, 'tsa.pem'), readFileSync(tsaCert.certPath));
    writeFileSync(path.join(this.tsaDir, 'tsa.key'), readFileSync(tsaCert.keyPath));
    writeFileSync(path.join(this.tsaDir, 'tsa-chain.pem'), pki.chainPem());
    writeFileSync(path.join(this.tsaDir, 'ts.cnf'), tsaConfig(this.tsaDir));
    try {
      readFileSync(path.join(this.tsaDir, 'tsaserial'));
    } catch {
      writeFileSync(path.join(this.tsaDir, 'tsaserial'), '01\n');
    }
  }

  /** DER OCSPResponse for a DER OCSPRequest, from the issuing CA's (default) or the root's database. */
  async ocsp(request: Buffer, ca: 'issuing' | 'root' = 'issuing'): Promise<Buffer> {
    const id = `${process.pid}-${++this.seq}`;
    const reqin = path.join(this.work, `ocsp-${id}.req`);
    const respout = path.join(this.work, `ocsp-${id}.resp`);
    writeFileSync(reqin, request);
    // The root answers for itself; end-entity certificates get the delegated responder.
    const authority = this.pki.ca(ca);
    const signer = ca === 'root' ? ['-rsigner', authority.certPath, '-rkey', authority.keyPath] : ['-rsigner', this.ocspCert.certPath, '-rkey', this.ocspCert.keyPath ?? ''];
    try {
      await run('openssl', ['ocsp', '-index', authority.index, '-CA', authority.certPath, ...signer, '-reqin', reqin, '-respout', respout, '-ndays', '1']);
      return readFileSync(respout);
    } finally {
      rmSync(reqin, { force: true });
      rmSync(respout, { force: true });
    }
  }

  /** DER TimeStampResp for a DER TimeStampReq. */
  tsa(query: Buffer): Promise<Buffer> {
    // The serial file is read-modify-write: one reply at a time.
    const next = this.tsaQueue.then(() => this.tsaNow(query));
    this.tsaQueue = next.catch(() => undefined);
    return next;
  }

  private async tsaNow(query: Buffer): Promise<Buffer> {
    const id = `${process.pid}-${++this.seq}`;
    const queryfile = path.join(this.work, `ts-${id}.tsq`);
    const out = path.join(this.work, `ts-${id}.tsr`);
    writeFileSync(queryfile, query);
    try {
      await run('openssl', ['ts', '-reply', '-config', path.join(this.tsaDir, 'ts.cnf'), '-section', 'tsa_config', '-queryfile', queryfile, '-out', out]);
      return readFileSync(out);
    } finally {
      rmSync(queryfile, { force: true });
      rmSync(out, { force: true });
    }
  }
}
