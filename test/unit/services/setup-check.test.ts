/**
 * The first-run setup check (issue 14, point 10) says, per part and in the user's words,
 * what does not work: a server that does not answer, a certificate missing from the tokens or
 * out of validity, an image that is not a PNG; parts not set are said to be so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSetup } from '../../../main/services/setup-check.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cert = (over: Record<string, unknown> = {}) => ({
  subject: 'CN=Ủy ban nhân dân tỉnh Thử Nghiệm', issuer: 'CN=CA', serial: '01', notBefore: '2020-01-01T00:00:00Z', notAfter: '2099-01-01T00:00:00Z',
  keyUsage: ['digitalSignature', 'nonRepudiation'], extendedKeyUsage: [], keyId: '02', label: 'seal', hasPrivateKey: true, keyType: 'RSA', fingerprint: 'ab'.repeat(32), expiresSoon: false, ...over,
});
const tokens = (c: ReturnType<typeof cert>) => ({ list: async () => [{ path: '/m.so', ok: true, tokens: [{ label: 'Kyso Demo', serial: '1', certificates: [c] }] }] }) as never;

describe('settings:check', () => {
  it('names each failure in words, without machine codes in the message', async () => {
    const notPng = path.join(dir, 'con-dau.png');
    writeFileSync(notPng, 'not an image');
    const r = await checkSetup({ server: 'http://127.0.0.1:9', signer: { module: '/m.so', label: 'Kyso Demo', cert: 'cd'.repeat(32) }, sealImage: notPng }, tokens(cert()), 'vi');
    const by = Object.fromEntries(r.map((x) => [x.part, x]));
    expect(by.server!.state).toBe('failed');
    expect(by.server!.message).not.toMatch(/ECONNREFUSED|Error:/);
    expect(by.certificate).toMatchObject({ state: 'failed', code: 'tokenCertificateNotFound' });
    expect(by.sealImage).toMatchObject({ state: 'failed', code: 'signImageInvalid' });
    expect(by.tsa).toMatchObject({ state: 'notSet', message: 'chưa đặt' });
  });

  it('accepts a certificate on the token with its key and in validity; refuses an expired one', async () => {
    const ok = await checkSetup({ signer: { module: '/m.so', label: 'Kyso Demo', cert: 'ab'.repeat(32) } }, tokens(cert()), 'vi', ['certificate']);
    expect(ok).toEqual([expect.objectContaining({ part: 'certificate', state: 'ok' })]);
    const expired = await checkSetup({ signer: { module: '/m.so', label: 'Kyso Demo', cert: 'ab'.repeat(32) } }, tokens(cert({ notAfter: '2021-01-01T00:00:00Z' })), 'vi', ['certificate']);
    expect(expired[0]).toMatchObject({ state: 'failed', code: 'setupCertOutOfValidity' });
    expect(expired[0]!.message).toContain('hết hạn 2021-01-01');
  });
});
