import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOcsp } from '../../../main/pki/ocsp-client.js';
import { fetchCrl } from '../../../main/pki/crl-client.js';
import { certInfo } from '../../../main/pki/cert.js';
import { run } from '../../bed/run.js';
import { createLocalPki, type LocalPki } from '../../integration/signing/local-pki.js';
import { deadUrl, startLocalServices, type LocalServices } from '../../integration/signing/local-services.js';

let dir: string;
let pki: LocalPki;
let svc: LocalServices;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-rev-'));
  svc = await startLocalServices(() => pki);
  pki = await createLocalPki(path.join(dir, 'pki'), { ocsp: svc.ocspUrl, crl: svc.crlUrl });
});
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ocsp-client and crl-client', () => {
  it('reads the AIA and CRL DP of the signer certificate', () => {
    const info = certInfo(pki.rsa.der);
    expect(info.ocspUrls).toEqual([svc.ocspUrl]);
    expect(info.crlUrls).toEqual([svc.crlUrl]);
    expect(info.subject).toContain('CN=Nguyen Van A');
  });

  it('gets a good status from the AIA responder, then revoked after openssl ca -revoke', async () => {
    const good = await fetchOcsp(pki.ec.der, pki.intermediate.der);
    expect(good.status).toBe('good');
    expect(good.response[0]).toBe(0x30);
    const crl1 = await fetchCrl(pki.ec.der);
    expect(crl1?.revokedSerials).not.toContain(certInfo(pki.ec.der).serial);
    await run('openssl', ['ca', '-config', pki.caConf, '-revoke', pki.ec.cert]);
    const revoked = await fetchOcsp(pki.ec.der, pki.intermediate.der);
    expect(revoked.status).toBe('revoked');
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    const crl2 = await fetchCrl(pki.ec.der);
    expect(crl2?.revokedSerials).toContain(certInfo(pki.ec.der).serial);
  });

  it('gives clear errors for a dead responder and for garbage', async () => {
    const url = await deadUrl();
    await expect(fetchOcsp(pki.rsa.der, pki.intermediate.der, { url, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'ocspUnreachable' });
    await expect(fetchOcsp(pki.rsa.der, pki.intermediate.der, { url: svc.crlUrl })).rejects.toMatchObject({ code: 'ocspBadResponse' });
    await expect(fetchCrl(pki.rsa.der, { url })).rejects.toMatchObject({ code: 'crlUnreachable' });
    await expect(fetchOcsp(pki.root.der, pki.root.der)).rejects.toMatchObject({ code: 'ocspNoUrl' });
  });
});
