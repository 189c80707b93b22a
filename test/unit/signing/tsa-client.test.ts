import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timestampData, readTstInfo } from '../../../main/pki/tsa-client.js';
import { run } from '../../bed/run.js';
import { createLocalPki, type LocalPki } from '../../integration/signing/local-pki.js';
import { deadUrl, startLocalServices, type LocalServices } from '../../integration/signing/local-services.js';

let dir: string;
let pki: LocalPki;
let svc: LocalServices;
let authSvc: LocalServices;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-tsa-'));
  svc = await startLocalServices(() => pki);
  authSvc = await startLocalServices(() => pki, { tsaAuth: { username: 'clerk', password: 's3cret' } });
  pki = await createLocalPki(path.join(dir, 'pki'), { ocsp: svc.ocspUrl, crl: svc.crlUrl });
});
afterAll(async () => {
  await svc.close();
  await authSvc.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tsa-client', () => {
  it('gets a token that openssl ts -verify accepts for the same data', async () => {
    const data = Buffer.from('signature value bytes');
    const ts = await timestampData(data, { url: svc.tsaUrl });
    expect(Math.abs(ts.genTime.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    expect(ts.certificates.length).toBeGreaterThan(0);
    const tokenPath = path.join(dir, 'token.der');
    const dataPath = path.join(dir, 'data.bin');
    writeFileSync(tokenPath, ts.token);
    writeFileSync(dataPath, data);
    const { stdout } = await run('openssl', ['ts', '-verify', '-token_in', '-in', tokenPath, '-data', dataPath, '-CAfile', pki.root.cert]);
    expect(stdout.toString()).toContain('Verification: OK');
    expect(Buffer.from(readTstInfo(ts.token).messageImprint.hashedMessage.valueBlock.valueHexView).equals(createHash('sha256').update(data).digest())).toBe(true);
  });

  it('supports SHA-512 imprints', async () => {
    const ts = await timestampData(Buffer.from('x'), { url: svc.tsaUrl, hash: 'SHA-512' });
    expect(readTstInfo(ts.token).messageImprint.hashedMessage.valueBlock.valueHexView.byteLength).toBe(64);
  });

  it('sends basic auth when configured, and reports a refusal clearly', async () => {
    const ts = await timestampData(Buffer.from('y'), { url: authSvc.tsaUrl, auth: { username: 'clerk', password: 's3cret' } });
    expect(ts.token.length).toBeGreaterThan(100);
    const err = await timestampData(Buffer.from('y'), { url: authSvc.tsaUrl, auth: { username: 'clerk', password: 'wrong' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'tsaUnreachable', params: { detail: 'HTTP 401' } });
    expect(JSON.stringify(err)).not.toContain('wrong');
  });

  it('gives tsaUnreachable for a dead TSA', async () => {
    const url = await deadUrl();
    await expect(timestampData(Buffer.from('z'), { url, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'tsaUnreachable', params: { url } });
  });

  it('gives tsaBadResponse when the server answers garbage', async () => {
    await expect(timestampData(Buffer.from('z'), { url: svc.crlUrl })).rejects.toMatchObject({ code: 'tsaBadResponse' });
  });
});
