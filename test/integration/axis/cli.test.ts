/**
 * `kyso server axis add|list|status|remove` on a real data directory and a running `kyso
 * server` process: credentials are referenced (env or a 600 file outside the data directory),
 * never stored, printed or logged; the running server picks a new link up, and `axis status`
 * shows its health and queue while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kyso } from '../exchange-client/cli-io.js';
import { AxisSimulator } from '../../bed/axis-sim/index.js';
import { closedPortUrl } from '../../bed/server.js';
import { until } from './bed.js';

const BIN = path.join(import.meta.dirname, '..', '..', '..', 'bin', 'kyso.js');
const SECRET = 'Sb9-very-secret-value-7Qx';
let work: string;
let data: string;
let secretFile: string;
let child: ChildProcess | undefined;
let stderr = '';
let sim: AxisSimulator;

/** Every byte under a folder, as one buffer (the secret must be in none of them). */
function allBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (e.isFile()) parts.push(readFileSync(p));
  }
  return Buffer.concat(parts);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-axis-cli-'));
  data = path.join(work, 'data');
  mkdirSync(data);
  secretFile = path.join(work, 'vxp.secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  sim = await AxisSimulator.start({ systems: [{ systemId: 'kyso.h99', secret: SECRET, agencies: [{ code: '000.00.00.H99', name: 'UBND tỉnh' }] }, { systemId: 'x', secret: 'y', agencies: [{ code: '000.00.00.H41', name: 'UBND tỉnh Nghệ An' }] }] });
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await sim?.close();
  rmSync(work, { recursive: true, force: true });
});

const env = { ...process.env, KYSO_LANG: 'en' };

describe('kyso server axis', () => {
  it('refuses credentials that would sit in the data directory or be readable by others', async () => {
    const inside = path.join(data, 'secret.txt');
    writeFileSync(inside, SECRET, { mode: 0o600 });
    const r1 = await kyso(['server', 'axis', 'add', '--data', data, '--kind', 'vxp', '--endpoint', sim.vxpUrl, '--system-id', 'kyso.h99', '--secret-file', inside], env);
    expect(r1.code).toBe(1);
    expect(r1.err).toContain('inside the server\'s data directory');
    rmSync(inside);
    const open = path.join(work, 'open.secret');
    writeFileSync(open, SECRET);
    chmodSync(open, 0o644);
    const r2 = await kyso(['server', 'axis', 'add', '--data', data, '--kind', 'vxp', '--endpoint', sim.vxpUrl, '--system-id', 'kyso.h99', '--secret-file', open], env);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain('mode 644');
    const r3 = await kyso(['server', 'axis', 'add', '--data', data, '--kind', 'vxp', '--endpoint', sim.vxpUrl, '--secret-file', secretFile], env);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain('--system-id');
    const r4 = await kyso(['server', 'axis', 'add', '--data', data, '--kind', 'x400', '--endpoint', sim.vxpUrl, '--secret-file', secretFile], env);
    expect(r4.code).toBe(2);
    const r5 = await kyso(['server', 'axis', 'add', '--data', data, '--kind', 'vxp', '--endpoint', sim.vxpUrl, '--system-id', 'a', '--secret-file', secretFile, '--secret-env', 'X'], env);
    expect(r5.code).toBe(2);
  });

  it('adds links by reference; list and the whole data directory hold no secret', async () => {
    const add = await kyso(['server', 'axis', 'add', '--data', data, '--kind', 'vxp', '--endpoint', sim.vxpUrl, '--system-id', 'kyso.h99', '--secret-file', secretFile, '--poll', '1'], env);
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toContain(`file:${secretFile}`);
    const dead = await closedPortUrl();
    const lg = await kyso(['server', 'axis', 'add', '--data', data, '--name', 'lgsp-tinh', '--kind', 'lgsp', '--endpoint', dead, '--client-id', 'kyso', '--secret-env', 'KYSO_TEST_UNSET_SECRET', '--secret-id-env', 'KYSO_TEST_UNSET_ID'], env);
    expect(lg.code).toBe(0);
    expect(lg.err).toContain('KYSO_TEST_UNSET_SECRET is not set');
    const again = await kyso(['server', 'axis', 'add', '--data', data, '--kind', 'vxp', '--endpoint', sim.vxpUrl, '--system-id', 'kyso.h99', '--secret-file', secretFile], env);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    const list = JSON.parse((await kyso(['server', 'axis', 'list', '--data', data, '--json'], env)).out) as { name: string; secret: string; secretId?: string }[];
    expect(list.map((l) => [l.name, l.secret, l.secretId])).toEqual([['lgsp-tinh', 'env:KYSO_TEST_UNSET_SECRET', 'env:KYSO_TEST_UNSET_ID'], ['vxp', `file:${secretFile}`, undefined]]);
    expect(allBytes(data).includes(SECRET)).toBe(false);
  });

  it('a running server uses the link; status shows health and queue; no secret in logs, audit or data', async () => {
    await kyso(['server', 'org', 'add', '--data', data, '--code', '000.00.00.H99', '--name', 'UBND tỉnh'], env);
    child = spawn(process.execPath, [BIN, 'server', '--data', data, '--port', '0', '--json'], { env: { ...env, KYSO_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await once(child.stdout!, 'data');
    const st = await until(async () => {
      const s = JSON.parse((await kyso(['server', 'axis', 'status', '--data', data, '--json'], env)).out) as { link: string; agencies: number; lastOkAt: string | null; lastError: string | null }[];
      const v = s.find((x) => x.link === 'vxp');
      const l = s.find((x) => x.link === 'lgsp-tinh');
      return v?.agencies === 2 && l?.lastError ? s : null;
    }, 'the server to poll both links', 20_000);
    expect(st.find((x) => x.link === 'vxp')!.lastOkAt).not.toBeNull();
    // The LGSP link has no secret in the server's environment: said by reference, not value.
    expect(st.find((x) => x.link === 'lgsp-tinh')!.lastError).toContain('env:KYSO_TEST_UNSET_SECRET');
    const text = (await kyso(['server', 'axis', 'status', '--data', data], env)).out;
    expect(text).toContain('vxp (vxp)');
    expect(text).toContain('directory: 2 bodies');
    expect(text).toContain('outgoing queue: 0 waiting, 0 sent, 0 undeliverable');
    const audit = (await kyso(['server', 'audit', '--data', data, '--json'], env)).out;
    expect(audit).toContain('admin.axis.add');
    for (const where of [stderr, audit, text, allBytes(data).toString('latin1')]) expect(where.includes(SECRET)).toBe(false);
    // The sim saw our signed calls and accepted them.
    expect(sim.calls.some((c) => c.call === 'getAgenciesList' && c.outcome === 'ok')).toBe(true);
    expect(sim.tally().badSignature).toBe(0);
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  it('removes a link; an unknown name is a clear error', async () => {
    const r = await kyso(['server', 'axis', 'remove', '--data', data, 'lgsp-tinh'], env);
    expect(r.code).toBe(0);
    const again = await kyso(['server', 'axis', 'remove', '--data', data, 'lgsp-tinh'], env);
    expect(again.code).toBe(1);
    expect(again.err).toContain('No axis link named lgsp-tinh');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
  });
});
