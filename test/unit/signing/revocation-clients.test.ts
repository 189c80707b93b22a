import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certView } from '../../../main/pki/cert.js';
import { fetchCrl } from '../../../main/pki/crl.js';
import { fetchOcsp } from '../../../main/pki/ocsp.js';
import { run } from '../../bed/run.js';
import { createLocalPki, type LocalPki } from '../../integration/signing/local-pki.js';
import { deadUrl, startLocalServices, type LocalServices } from '../../integration/signing/local-services.js';

let dir: string;
let pki: LocalPki;
let svc: LocalServices;

const v = (der: Uint8Array) => certView(der);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-rev-'));
  svc = await startLocalServices(() => pki);
  pki = await createLocalPki(path.join(dir, 'pki'), { ocsp: svc.ocspUrl, crl: svc.crlUrl });
});
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the OCSP and CRL client', () => {
  it('reads the AIA and CRL DP of the signer certificate', () => {
    const info = certView(pki.rsa.der);
    expect(info.ocspUrls).toEqual([svc.ocspUrl]);
    expect(info.crlUrls).toEqual([svc.crlUrl]);
    expect(info.subject).toContain('CN=Nguyen Van A');
  });

  it('gets a good status from the AIA responder, then revoked after openssl ca -revoke', async () => {
    const good = await fetchOcsp(v(pki.ec.der), v(pki.intermediate.der));
    expect(good.status).toBe('good');
    expect(good.response[0]).toBe(0x30);
    const crl1 = await fetchCrl(v(pki.ec.der), v(pki.intermediate.der));
    expect(crl1?.status).toBe('good');
    await run('openssl', ['ca', '-config', pki.caConf, '-revoke', pki.ec.cert]);
    const revoked = await fetchOcsp(v(pki.ec.der), v(pki.intermediate.der));
    expect(revoked.status).toBe('revoked');
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    const crl2 = await fetchCrl(v(pki.ec.der), v(pki.intermediate.der));
    expect(crl2).toMatchObject({ status: 'revoked', revokedAt: expect.any(Date) });
  });

  it('gives clear errors for a dead responder and for garbage', async () => {
    const url = await deadUrl();
    await expect(fetchOcsp(v(pki.rsa.der), v(pki.intermediate.der), { url, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'ocspUnreachable' });
    await expect(fetchOcsp(v(pki.rsa.der), v(pki.intermediate.der), { url: svc.crlUrl })).rejects.toMatchObject({ code: 'ocspBadResponse' });
    await expect(fetchCrl(v(pki.rsa.der), v(pki.intermediate.der), { url })).rejects.toMatchObject({ code: 'crlUnreachable' });
    await expect(fetchOcsp(v(pki.root.der), v(pki.root.der))).rejects.toMatchObject({ code: 'ocspNoUrl' });
  });
});
