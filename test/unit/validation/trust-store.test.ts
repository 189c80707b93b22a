/** The admin trust store on disk: import PEM/DER/P7B, list, remove; nothing trusted by default. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAnchors, trustAdd, trustList, trustRemove } from '../../../main/pki/trust-store.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-trust-'));
  for (const n of ['a', 'b']) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, `${n}.key`), '-out', path.join(dir, `${n}.pem`), '-subj', `/CN=Root ${n}`, '-days', '10', '-addext', 'basicConstraints=critical,CA:TRUE'], { stdio: 'ignore' });
  }
  execFileSync('openssl', ['x509', '-in', path.join(dir, 'a.pem'), '-outform', 'DER', '-out', path.join(dir, 'a.der')]);
  execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', path.join(dir, 'a.pem'), '-certfile', path.join(dir, 'b.pem'), '-outform', 'DER', '-out', path.join(dir, 'ab.p7b')]);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('trust store', () => {
  it('is empty by default and imports DER, PEM and P7B without duplicates', () => {
    const home = path.join(dir, 'home1');
    expect(trustList(home)).toEqual([]);
    expect(loadAnchors(home)).toEqual([]);
    const [a] = trustAdd(home, readFileSync(path.join(dir, 'a.der')));
    expect(a!.subject).toBe('CN=Root a');
    expect(a!.isCa).toBe(true);
    trustAdd(home, readFileSync(path.join(dir, 'a.pem')));
    expect(trustList(home)).toHaveLength(1);
    expect(trustAdd(home, readFileSync(path.join(dir, 'ab.p7b')))).toHaveLength(2);
    expect(trustList(home).map((e) => e.subject).sort()).toEqual(['CN=Root a', 'CN=Root b']);
  });

  it('removes by fingerprint prefix; refuses short, unknown or garbage input', () => {
    const home = path.join(dir, 'home2');
    const [a] = trustAdd(home, readFileSync(path.join(dir, 'a.pem')));
    expect(() => trustRemove(home, 'abc')).toThrow(/trustBadFingerprint/);
    expect(() => trustRemove(home, '00000000')).toThrow(/trustNotFound/);
    expect(trustRemove(home, a!.fingerprint.slice(0, 10))).toHaveLength(1);
    expect(trustList(home)).toEqual([]);
    expect(() => trustAdd(home, Buffer.from('not a certificate'))).toThrow(/trustBadFile/);
    writeFileSync(path.join(home, 'trust', 'junk.pem'), 'garbage');
    expect(trustList(home)).toEqual([]);
  });
});
