/**
 * `kyso server` as a real process administered by `kyso server org|user add`, with a
 * SoftHSM2 token key (the bed's official certificate) logging in and signing the edXML
 * envelope through the token bridge; SIGKILL of the server loses nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, type InboxPage } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { TokenManager } from '../../../native/token-manager.js';
import { createTestBed, KEY_IDS, type TestBed } from '../../bed/index.js';
import { run } from '../../bed/run.js';
import { code, get, login, ok, sendPackage, token } from './api.js';
import { issueUser, makePackage, ORGS, signerOf } from './fixtures.js';

const BIN = path.join(import.meta.dirname, '..', '..', '..', 'bin', 'kyso.js');
const kyso = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [BIN, ...args], { env: { KYSO_FROM_SOURCE: '1', KYSO_LANG: 'vi', ...env } });

let bed: TestBed;
let work: string;
let data: string;
let tm: TokenManager;
let official: Signer;
let revokedOnToken: Signer;
const children: ChildProcess[] = [];

async function startProcess(port = 0): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'server', '--data', data, '--port', String(port), '--json', '--trust', bed.certs.root.certPath], {
    env: { ...process.env, KYSO_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: (JSON.parse(line.toString()) as { url: string }).url, child };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-exs-proc-'));
  data = path.join(work, 'data');
  bed = await createTestBed();
  tm = new TokenManager({ modules: [bed.module], env: bed.env });
  const ref = { module: bed.module, label: bed.tokens.official.label };
  await tm.login(ref, bed.tokens.official.pin);
  official = await tm.getSigner(ref, { keyId: KEY_IDS.official });
  official = { ...official, chain: [bed.certs.issuing.der], sign: official.sign.bind(official) };
  const rt = await tm.getSigner({ module: bed.module, label: bed.tokens.revoked.label }, { keyId: KEY_IDS.revokedToken });
  revokedOnToken = { ...rt, chain: [bed.certs.issuing.der], sign: rt.sign.bind(rt) };
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await tm?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('kyso server (real process)', () => {
  it('administers the directory and users from the command line', async () => {
    await kyso(['server', 'org', 'add', '--data', data, '--code', ORGS.A.code, '--name', ORGS.A.name]);
    for (const k of ['B', 'C'] as const) await kyso(['server', 'org', 'add', '--data', data, '--code', ORGS[k].code, '--name', ORGS[k].name, '--parent', ORGS.A.code]);
    const bad = await kyso(['server', 'org', 'add', '--data', data, '--code', 'ubnd-h49', '--name', 'x']).then(() => '', (e: Error) => e.message);
    expect(bad).toContain('Mã định danh cơ quan "ubnd-h49" không đúng quy định');
    const list = JSON.parse((await kyso(['server', 'org', 'list', '--data', data, '--json'])).stdout.toString()) as { code: string; parent: string | null }[];
    expect(list).toEqual([
      { code: ORGS.A.code, name: ORGS.A.name, parent: null },
      { code: ORGS.B.code, name: ORGS.B.name, parent: ORGS.A.code },
      { code: ORGS.C.code, name: ORGS.C.name, parent: ORGS.A.code },
    ]);
    const u = JSON.parse((await kyso(['server', 'user', 'add', '--data', data, '--trust', bed.certs.root.certPath, '--org', ORGS.A.code, '--cert', bed.certs.official.certPath, '--json'])).stdout.toString()) as { id: number; subject: string };
    expect(u.subject).toContain('Nguyễn Văn An');
    await kyso(['server', 'user', 'add', '--data', data, '--trust', bed.certs.root.certPath, '--org', ORGS.B.code, '--cert', bed.certs.revokedToken.certPath]);
    const again = await kyso(['server', 'user', 'add', '--data', data, '--trust', bed.certs.root.certPath, '--org', ORGS.B.code, '--cert', bed.certs.official.certPath]).then(() => '', (e: Error) => e.message);
    expect(again).toContain('đã được gán');
  }, 300_000);

  it('logs in and sends with a token key; survives SIGKILL without loss', async () => {
    const b = await issueUser(bed, 'procB', 'Văn thư Sở Tài chính');
    await kyso(['server', 'user', 'add', '--data', data, '--trust', bed.certs.root.certPath, '--org', ORGS.B.code, '--cert', b.certPath]);
    const B = signerOf(bed, b);
    const first = await startProcess();
    const tokA = await token(first.url, official);
    expect(code((await login(first.url, revokedOnToken)).reply)).toBe('exCertRevoked');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      const p = await makePackage(work, official, ORGS.A, [ORGS.B, ORGS.C]);
      expect(ok(await sendPackage(first.url, tokA, id, { file: p.file })).duplicate).toBe(false);
      ids.push(id);
    }
    const tokB = await token(first.url, B);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const second = await startProcess(Number(new URL(first.url).port));
    const inbox = ok(await get<InboxPage>(second.url, tokB, endpoints.inbox));
    expect(inbox.items.map((i) => i.messageId)).toEqual(ids);
    const pkg = await get<string>(second.url, tokB, endpoints.messagePackage, { messageId: ids[2]! });
    expect(pkg.status).toBe(200);
    // The token-signed package is what was uploaded, byte for byte (content-addressed blob).
    expect(inbox.items[2]!.packageSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path.join(data, 'blobs', inbox.items[2]!.packageSha256.slice(0, 2), inbox.items[2]!.packageSha256), 'utf8')).toBe(pkg.body.status === 'OK' ? pkg.body.data : '');
    // A retry after the crash is recognised as a duplicate, not a second delivery.
    const retry = await sendPackage(second.url, tokA, ids[0]!, readFileSync(path.join(data, 'blobs', inbox.items[0]!.packageSha256.slice(0, 2), inbox.items[0]!.packageSha256)));
    expect(ok(retry).duplicate).toBe(true);
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
    const audit = JSON.parse((await kyso(['server', 'audit', '--data', data, '--json'])).stdout.toString()) as { action: string; actorOrg: string | null; detail: Record<string, unknown> }[];
    expect(audit.filter((e) => e.action === 'package.accept' && e.actorOrg === ORGS.A.code)).toHaveLength(3);
    expect(audit.some((e) => e.action === 'login.refused' && e.detail.code === 'exCertRevoked')).toBe(true);
    expect(audit.filter((e) => e.action === 'admin.user.add')).toHaveLength(3);
  }, 300_000);
});
