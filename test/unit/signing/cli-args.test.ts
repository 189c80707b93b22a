import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appearanceFrom, itemsFrom, placementFrom } from '../../../main/cli/commands/sign.js';
import { tsaConfig as tsaFrom } from '../../../main/services/sign-plan.js';
import { pickCertificate } from '../../../main/services/token-session.js';
import type { ModuleReport } from '../../../native/types.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-args-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cert = (subject: string, serial: string, notAfter: string, hasPrivateKey = true) => ({
  subject, issuer: 'CN=CA', serial, notBefore: '2020-01-01T00:00:00Z', notAfter, keyUsage: [], extendedKeyUsage: [], keyId: serial, label: subject,
  hasPrivateKey, keyType: 'RSA' as const, fingerprint: `fp-${serial}`, expiresSoon: false,
});

const report = [{
  path: '/lib/p11.so', ok: true,
  tokens: [{ label: 'T1', certificates: [cert('CN=Old', '0a', '2021-01-01T00:00:00Z'), cert('CN=Nguyễn Văn An', '0b', '2099-01-01T00:00:00Z'), cert('CN=No Key', '0c', '2099-01-01T00:00:00Z', false)] }],
}] as unknown as ModuleReport[];

describe('kyso sign argument handling', () => {
  it('parses placement and refuses bad or conflicting values', () => {
    expect(placementFrom({ page: '2', rect: '10,20,150,60' })).toEqual({ page: 2, rect: [10, 20, 150, 60] });
    expect(placementFrom({ anchor: 'PHÓ CHỦ TỊCH' })).toEqual({ anchor: 'PHÓ CHỦ TỊCH' });
    expect(placementFrom({})).toBeUndefined();
    expect(() => placementFrom({ rect: '1,2,3' })).toThrow(expect.objectContaining({ code: 'cliInvalidValue' }));
    expect(() => placementFrom({ rect: '1,2,-3,4' })).toThrow(expect.objectContaining({ code: 'cliInvalidValue' }));
    expect(() => placementFrom({ page: '0' })).toThrow(expect.objectContaining({ code: 'cliInvalidValue' }));
    expect(() => placementFrom({ rect: '1,2,3,4', anchor: 'x' })).toThrow(expect.objectContaining({ code: 'cliConflict' }));
  });

  it('derives the role: explicit, approval when placed or with an image, else invisible', () => {
    expect(appearanceFrom({ role: 'copy', 'copy-form': 'TRÍCH SAO', org: 'VP' }, false)).toEqual({ role: 'copy', copyForm: 'TRÍCH SAO', organization: 'VP' });
    expect(appearanceFrom({}, true).role).toBe('approval');
    expect(appearanceFrom({ image: 'a.png' }, false)).toEqual({ role: 'approval', image: 'a.png' });
    expect(appearanceFrom({}, false).role).toBe('invisible');
    expect(() => appearanceFrom({ role: 'boss' }, false)).toThrow(expect.objectContaining({ code: 'cliInvalidValue' }));
    expect(() => appearanceFrom({ 'copy-form': 'SAO' }, false)).toThrow(expect.objectContaining({ code: 'cliInvalidValue' }));
  });

  it('maps outputs: -o for one file, --out-dir keeps names, refuses duplicates and missing outputs', () => {
    expect(itemsFrom(['a.pdf'], { out: 'b.pdf' })).toEqual([{ input: 'a.pdf', output: 'b.pdf' }]);
    const dir = path.join(tmp, 'out');
    expect(itemsFrom(['x/a.pdf', 'y/b.pdf'], { 'out-dir': dir })).toEqual([{ input: 'x/a.pdf', output: path.join(dir, 'a.pdf') }, { input: 'y/b.pdf', output: path.join(dir, 'b.pdf') }]);
    expect(() => itemsFrom(['x/a.pdf', 'y/a.pdf'], { 'out-dir': dir })).toThrow(expect.objectContaining({ code: 'signDuplicateOutput' }));
    expect(() => itemsFrom(['a.pdf', 'b.pdf'], { out: 'o.pdf' })).toThrow(expect.objectContaining({ code: 'cliOutNeedsOneFile' }));
    expect(() => itemsFrom(['a.pdf'], {})).toThrow(expect.objectContaining({ code: 'cliMissingOutput' }));
    expect(() => itemsFrom([], { out: 'o.pdf' })).toThrow(expect.objectContaining({ code: 'cliMissingInput' }));
    expect(itemsFrom(['a.pdf'], { overwrite: true })).toEqual([{ input: 'a.pdf', output: 'a.pdf' }]);
  });

  it('picks the certificate by serial or subject, preferring one valid now, never one without a key', () => {
    expect(pickCertificate(report, {})).toEqual({ ref: { module: '/lib/p11.so', label: 'T1' }, fingerprint: 'fp-0b' });
    expect(pickCertificate(report, { cert: '0A' }).fingerprint).toBe('fp-0a');
    expect(pickCertificate(report, { cert: 'nguyễn văn' }).fingerprint).toBe('fp-0b');
    expect(() => pickCertificate(report, { cert: 'No Key' })).toThrow(expect.objectContaining({ code: 'tokenCertificateNotFound' }));
    expect(() => pickCertificate(report, { token: 'T9' })).toThrow(expect.objectContaining({ code: 'tokenNotFound' }));
  });

  it('when no module loads, says why (the module error), not "no certificate"', () => {
    const dead = [{ path: '/x/missing.so', ok: false, tokens: [], error: { code: 'tokenModuleNotFound', message: 'PKCS#11 module not found: /x/missing.so', params: { path: '/x/missing.so' } } }];
    expect(() => pickCertificate(dead, {})).toThrow(expect.objectContaining({ code: 'tokenModuleNotFound', params: { path: '/x/missing.so' } }));
    // One working module among failed ones: the usual certificate search.
    expect(pickCertificate([...dead, ...report], {}).fingerprint).toBe('fp-0b');
  });

  it('takes TSA credentials from the environment only', () => {
    expect(tsaFrom(undefined, {})).toBeUndefined();
    expect(tsaFrom('http://tsa', { KYSO_TSA_USER: 'u', KYSO_TSA_PASSWORD: 'p' })).toEqual({ url: 'http://tsa', auth: { username: 'u', password: 'p' } });
  });
});
