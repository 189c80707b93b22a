/**
 * The test bed's done-when: a SoftHSM2 token key signs and the test-PKI certificate verifies
 * it; OpenSSL's own OCSP client gets good/revoked; `openssl ts -verify` accepts the TSA's
 * token; the CRL lists the revoked serials; the NSS db trusts the root.
 */
import { X509Certificate, randomBytes, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { run } from '../../bed/run.js';

let bed: TestBed;

beforeAll(async () => {
  bed = await createTestBed();
});

afterAll(async () => {
  await bed?.close();
});

/** `openssl ocsp` as a client against the bed's responder; returns its stdout+stderr text. */
async function ocspStatus(certPath: string, issuerPath: string, url: string): Promise<string> {
  const { stdout, stderr } = await run('openssl', ['ocsp', '-issuer', issuerPath, '-cert', certPath, '-url', url,
    '-CAfile', bed.certs.root.certPath, '-verify_other', bed.chainPath]);
  return stdout.toString() + stderr;
}

describe('token keys and the test PKI', () => {
  it.each(['official', 'seal'] as const)('signs with the %s key ON its SoftHSM2 token and the PKI certificate verifies it', async (name) => {
    const cert = bed.certs[name];
    expect(cert.token).toBeDefined();
    const { label, pin, id } = cert.token!;
    const data = randomBytes(1000);
    const signature = await bed.softhsm.sign(label, pin, id, 'SHA256-RSA-PKCS', data);
    const x509 = new X509Certificate(cert.der);
    expect(verify('sha256', data, x509.publicKey, signature)).toBe(true);
    expect(verify('sha256', Buffer.concat([data, Buffer.from([0])]), x509.publicKey, signature)).toBe(false);
    // The certificate on the token is the one the PKI issued, and it chains to the test root.
    const slot = await bed.softhsm.slotId(label);
    const onToken = await run('pkcs11-tool', ['--module', bed.module, '--slot', slot, '--read-object', '--type', 'cert', '--id', id], { env: bed.env });
    expect(onToken.stdout.equals(cert.der)).toBe(true);
    const ok = await run('openssl', ['verify', '-CAfile', bed.certs.root.certPath, '-untrusted', bed.certs.issuing.certPath, cert.certPath]);
    expect(ok.stdout.toString()).toContain(': OK');
  });

  it('puts Vietnamese names, key usages, AIA and CRL distribution points in the certificates', async () => {
    const official = new X509Certificate(bed.certs.official.der);
    expect(official.subject).toContain('CN=Nguyễn Văn An');
    expect(official.subject).toContain('C=VN');
    const seal = new X509Certificate(bed.certs.seal.der);
    expect(seal.subject).toContain('CN=Ủy ban nhân dân tỉnh Thử Nghiệm');
    const text = (await run('openssl', ['x509', '-in', bed.certs.official.certPath, '-noout', '-text'])).stdout.toString();
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toContain(`OCSP - URI:${bed.urls.ocsp}`);
    expect(text).toContain(`CA Issuers - URI:${bed.urls.issuingCer}`);
    expect(text).toContain(`URI:${bed.urls.issuingCrl}`);
    const tsa = (await run('openssl', ['x509', '-in', bed.certs.tsa.certPath, '-noout', '-text'])).stdout.toString();
    expect(tsa).toMatch(/Extended Key Usage: critical\s+Time Stamping/);
    const ocsp = (await run('openssl', ['x509', '-in', bed.certs.ocsp.certPath, '-noout', '-text'])).stdout.toString();
    expect(ocsp).toMatch(/Extended Key Usage:\s+OCSP Signing/);
    expect(official.checkIssued(new X509Certificate(bed.certs.issuing.der))).toBe(true);
  });

  it('has an expired certificate that OpenSSL rejects as expired', async () => {
    const expired = new X509Certificate(bed.certs.expired.der);
    expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
    await expect(run('openssl', ['verify', '-CAfile', bed.certs.root.certPath, '-untrusted', bed.certs.issuing.certPath, bed.certs.expired.certPath]))
      .rejects.toThrow(/certificate has expired/);
  });
});

describe('OCSP responder (real openssl ocsp)', () => {
  it('answers good for the official and revoked for the revoked certificates', async () => {
    const issuer = bed.certs.issuing.certPath;
    const good = await ocspStatus(bed.certs.official.certPath, issuer, bed.urls.ocsp);
    expect(good).toContain('Response verify OK');
    expect(good).toMatch(/official\.pem: good/);
    const revoked = await ocspStatus(bed.certs.revoked.certPath, issuer, bed.urls.ocsp);
    expect(revoked).toContain('Response verify OK');
    expect(revoked).toMatch(/revoked\.pem: revoked/);
    expect(revoked).toContain('Reason: keyCompromise');
    expect(await ocspStatus(bed.certs.revokedToken.certPath, issuer, bed.urls.ocsp)).toMatch(/revokedToken\.pem: revoked/);
    // The root answers for the issuing CA.
    expect(await ocspStatus(bed.certs.issuing.certPath, bed.certs.root.certPath, bed.urls.ocspRoot)).toMatch(/ca\.pem: good/);
  });

  it('reflects a revocation made after the bed started, for a newly issued certificate', async () => {
    const cert = await bed.pki.issue({ name: 'late', profile: 'official', subject: [['C', 'VN'], ['CN', 'Hoàng Văn Em']] });
    expect(await ocspStatus(cert.certPath, bed.certs.issuing.certPath, bed.urls.ocsp)).toMatch(/late\.pem: good/);
    await bed.pki.revoke(cert, 'superseded');
    const after = await ocspStatus(cert.certPath, bed.certs.issuing.certPath, bed.urls.ocsp);
    expect(after).toMatch(/late\.pem: revoked/);
    expect(after).toContain('Reason: superseded');
  });

  it('fails when the responder is down or the URL is dead', async () => {
    bed.server.setDown('ocsp', true);
    try {
      await expect(ocspStatus(bed.certs.official.certPath, bed.certs.issuing.certPath, bed.urls.ocsp)).rejects.toThrow(/503|Error/);
    } finally {
      bed.server.setDown('ocsp', false);
    }
    await expect(fetch(bed.urls.deadOcsp, { method: 'POST', body: new Uint8Array([0x30, 0]) })).rejects.toThrow();
  });
});

describe('RFC 3161 TSA', () => {
  it('returns a token that openssl ts -verify accepts', async () => {
    const data = path.join(bed.dir, 'tsa-data.bin');
    writeFileSync(data, randomBytes(4096));
    const query = path.join(bed.dir, 'q.tsq');
    await run('openssl', ['ts', '-query', '-data', data, '-sha256', '-cert', '-out', query]);
    const res = await fetch(bed.urls.tsa, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: readFileSync(query) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    const reply = path.join(bed.dir, 'r.tsr');
    writeFileSync(reply, Buffer.from(await res.arrayBuffer()));
    const { stdout } = await run('openssl', ['ts', '-verify', '-in', reply, '-queryfile', query, '-CAfile', bed.certs.root.certPath, '-untrusted', bed.chainPath]);
    expect(stdout.toString()).toContain('Verification: OK');
    const text = (await run('openssl', ['ts', '-reply', '-in', reply, '-text'])).stdout.toString();
    expect(text).toContain('Status: Granted');
    expect(text).toContain('Hash Algorithm: sha256');
  });

  it('answers 503 when switched down', async () => {
    bed.server.setDown('tsa', true);
    try {
      const res = await fetch(bed.urls.tsa, { method: 'POST', body: new Uint8Array([0x30, 0]) });
      expect(res.status).toBe(503);
    } finally {
      bed.server.setDown('tsa', false);
    }
  });
});

describe('CRLs, CA certificates and NSS', () => {
  it('serves a signed CRL listing the revoked serials and not the official one', async () => {
    const res = await fetch(bed.urls.issuingCrl);
    expect(res.status).toBe(200);
    const file = path.join(bed.dir, 'fetched.crl');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const { stdout, stderr } = await run('openssl', ['crl', '-in', file, '-inform', 'DER', '-CAfile', bed.chainPath, '-text', '-noout']);
    expect(stderr).toContain('verify OK');
    const text = stdout.toString();
    expect(text).toContain(`Serial Number: ${bed.certs.revoked.serial}`);
    expect(text).toContain(`Serial Number: ${bed.certs.revokedToken.serial}`);
    expect(text).not.toContain(bed.certs.official.serial);
  });

  it('serves the CA certificates as DER', async () => {
    const res = await fetch(bed.urls.issuingCer);
    expect(Buffer.from(await res.arrayBuffer()).equals(bed.certs.issuing.der)).toBe(true);
    const root = await fetch(bed.urls.rootCer);
    expect(Buffer.from(await root.arrayBuffer()).equals(bed.certs.root.der)).toBe(true);
  });

  it('has an NSS db that trusts the test root', async () => {
    const { stdout } = await run('certutil', ['-L', '-d', `sql:${bed.nssDir}`]);
    expect(stdout.toString()).toMatch(/Kyso Test Root CA\s+C,C,C/);
    // NSS itself validates the official certificate for signing (the usage pdfsig checks).
    const tmp = path.join(bed.dir, 'nss-official.pem');
    writeFileSync(tmp, bed.certs.official.pem);
    const check = await run('certutil', ['-A', '-d', `sql:${bed.nssDir}`, '-n', 'official', '-t', ',,', '-i', tmp]).then(() =>
      run('certutil', ['-V', '-d', `sql:${bed.nssDir}`, '-n', 'official', '-u', 'S', '-e']));
    expect(check.stdout.toString()).toContain('certificate is valid');
  });
});

describe('TLS server certificate', () => {
  it('serves HTTPS on 127.0.0.1 that a client trusting only the test root accepts', async () => {
    const server = createServer({ cert: readFileSync(bed.tlsChainPath), key: readFileSync(bed.certs.tls.keyPath!) }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      for (const host of ['127.0.0.1', 'localhost']) {
        const body = await new Promise<string>((resolve, reject) => {
          get({ host, port, path: '/', ca: bed.certs.root.pem }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          }).on('error', reject);
        });
        expect(body).toBe('ok');
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
