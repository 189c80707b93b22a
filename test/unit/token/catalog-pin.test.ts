/** Module catalogue, flag decoding, CKR mapping and PIN sources. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverModules, loadCatalog, pathsFor } from '../../../native/catalog.js';
import { decodeTokenFlags } from '../../../native/flags.js';
import { errorCodeForCkr } from '../../../native/bridge/ckr.js';
import { readLoginPin, readPin } from '../../../main/cli/pin.js';
import type { CliIo } from '../../../main/cli/io.js';
import { hasMessage } from '../../../resources/locales/index.js';

describe('module catalogue', () => {
  it('knows the Vietnamese CA modules, OpenSC and SoftHSM2', () => {
    const cat = loadCatalog();
    const win = cat.flatMap((e) => e.win32);
    for (const name of ['eTPKCS11.dll', 'vnpt-ca_csp11.dll', 'viettel-ca_v6.dll', 'BkavCAv25.dll', 'fptca_v4.dll', 'gclib.dll', 'wdpkcs.dll']) expect(win).toContain(name);
    expect(cat.flatMap((e) => e.linux)).toContain('/usr/lib/softhsm/libsofthsm2.so');
    const bkav = cat.find((e) => e.id === 'bkav-ca')!;
    expect(pathsFor(bkav, 'win32', { SystemRoot: 'C:\\Windows' })).toContain('C:\\Windows\\SysWOW64\\BkavCA.dll');
  });

  it('keeps user paths first (even missing ones) and only existing catalogue paths', () => {
    const found = discoverModules({ extraPaths: ['/opt/x/lib.so'], env: { KYSO_PKCS11_MODULES: `/opt/y.so${path.delimiter}/opt/x/lib.so` }, platform: 'linux' });
    expect(found.slice(0, 2).map((c) => c.path)).toEqual(['/opt/x/lib.so', '/opt/y.so']);
    const soft = found.find((c) => c.path === '/usr/lib/softhsm/libsofthsm2.so');
    expect(soft?.vendor).toBe('SoftHSM2 (test token)');
    expect(found.every((c) => c.source === 'user' || c.path.startsWith('/'))).toBe(true);
    // Debian's /usr/lib/softhsm path is a symlink to the multiarch one: loaded once only.
    expect(found.filter((c) => c.vendor.startsWith('SoftHSM2'))).toHaveLength(1);
  });
});

describe('flags and error mapping', () => {
  it('decodes CK_TOKEN_INFO flags (SoftHSM2 value after a wrong PIN)', () => {
    const f = decodeTokenFlags(0x1042d);
    expect(f).toMatchObject({ tokenInitialized: true, loginRequired: true, userPinInitialized: true, userPinCountLow: true, userPinLocked: false, protectedAuthPath: false });
  });

  it('maps CKR names to codes that have messages in both languages', () => {
    for (const ckr of ['CKR_PIN_INCORRECT', 'CKR_PIN_LOCKED', 'CKR_TOKEN_NOT_PRESENT', 'CKR_DEVICE_REMOVED', 'CKR_USER_NOT_LOGGED_IN', 'CKR_MECHANISM_INVALID', 'CKR_PIN_LEN_RANGE', 'CKR_GENERAL_ERROR']) {
      const code = errorCodeForCkr(ckr);
      expect(hasMessage('vi', `error.${code}`) && hasMessage('en', `error.${code}`), code).toBe(true);
    }
    expect(errorCodeForCkr('CKR_DEVICE_REMOVED')).toBe('tokenRemoved');
  });
});

describe('readPin', () => {
  const io = (env: NodeJS.ProcessEnv, isTty = false): CliIo => ({ lang: 'en', env, out: () => {}, err: () => {}, isTty });

  it('reads from an env var or the first line of a file; never guesses', async () => {
    expect(await readPin(io({ P: '1234' }), { env: 'P' })).toBe('1234');
    await expect(readPin(io({}), { env: 'P' })).rejects.toMatchObject({ code: 'tokenPinEnvMissing' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-pin-'));
    try {
      writeFileSync(path.join(dir, 'pin'), '5678\r\nignored\n');
      expect(await readPin(io({}), { file: path.join(dir, 'pin') })).toBe('5678');
      await expect(readPin(io({}), { file: path.join(dir, 'none') })).rejects.toMatchObject({ code: 'tokenPinFileUnreadable' });
      // An empty first line never reaches the token (it would cost a PIN try).
      writeFileSync(path.join(dir, 'empty-pin'), '\n123456\n');
      await expect(readPin(io({}), { file: path.join(dir, 'empty-pin') })).rejects.toMatchObject({ code: 'tokenPinFileEmpty' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(readPin(io({}), {})).rejects.toMatchObject({ code: 'tokenPinRequired' });
  });

  it('prompts (hidden) only on a terminal', async () => {
    const asked: string[] = [];
    const pin = await readPin(io({}, true), {}, async (q) => {
      asked.push(q);
      return '2468';
    });
    expect(pin).toBe('2468');
    expect(asked).toEqual(['Token PIN: ']);
  });

  it('a PIN-pad token logs in with null (the device asks) unless a source is given', async () => {
    expect(await readLoginPin(io({}), {}, true)).toBeNull();
    expect(await readLoginPin(io({ P: '1357' }), { env: 'P' }, true)).toBe('1357');
    await expect(readLoginPin(io({}), {}, false)).rejects.toMatchObject({ code: 'tokenPinRequired' });
  });
});
