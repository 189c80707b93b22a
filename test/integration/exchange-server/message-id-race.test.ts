/**
 * Two bodies upload different packages under the same new message id at the same moment, on
 * SQLite and PostgreSQL, over real HTTP: exactly one is registered, the other is refused
 * (409 exMessageIdConflict, not a 500), and each recipient sees that id exactly once with the
 * package that was accepted. Before the fix both were accepted and a recipient silently
 * never received one of them (its client stores documents by message id).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, type InboxPage } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { code, get, ok, sendPackage, token } from './api.js';
import { issueUser, makePackage, ORGS, signerOf } from './fixtures.js';

const PG = process.env.KYSO_TEST_PG_URL;
if (!PG && process.env.CI === 'true') throw new Error('KYSO_TEST_PG_URL is not set in CI: the PostgreSQL backend must be tested (scripts/pg-test.sh).');

let bed: TestBed;
let work: string;
let a: Signer;
let b: Signer;
let c: Signer;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-race-'));
  bed = await createTestBed();
  const [ua, ub, uc] = await Promise.all([issueUser(bed, 'raceA', 'Văn thư UBND'), issueUser(bed, 'raceB', 'Văn thư Sở Tài chính'), issueUser(bed, 'raceC', 'Văn thư Sở Nội vụ')]);
  a = signerOf(bed, ua);
  b = signerOf(bed, ub);
  c = signerOf(bed, uc);
}, 180_000);

afterAll(async () => {
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

const backends: [string, Partial<ServerOptions>][] = [['sqlite', {}], ...(PG ? ([['postgres', { db: PG, pgSchema: `kyso_race_${randomUUID().replace(/-/g, '').slice(0, 12)}` }]] as [string, Partial<ServerOptions>][]) : [])];

describe.each(backends)('one new message id from two bodies at once (%s)', (_name, dbOpts) => {
  let server: RunningServer;

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(work, 'data-'));
    server = await startServer({ dataDir, trustFiles: [bed.certs.root.certPath], ...dbOpts });
    await addOrg(server.repo, { ...ORGS.A, parent: null });
    for (const k of ['B', 'C'] as const) await addOrg(server.repo, { ...ORGS[k], parent: ORGS.A.code });
    const der = (name: string, s: Signer) => {
      const f = path.join(dataDir, `${name}.der`);
      writeFileSync(f, s.certificate);
      return f;
    };
    await addUser(server.repo, ORGS.A.code, der('a', a));
    await addUser(server.repo, ORGS.B.code, der('b', b));
    await addUser(server.repo, ORGS.C.code, der('c', c));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('registers exactly one; the other is refused and the recipient gets the one that was accepted', async () => {
    const [tA, tB, tC] = [await token(server.url, a), await token(server.url, b), await token(server.url, c)];
    const dir = mkdtempSync(path.join(work, 'pk-'));
    const rounds = 12;
    for (let i = 0; i < rounds; i++) {
      const id = randomUUID();
      const [fromA, fromC] = await Promise.all([makePackage(dir, a, ORGS.A, [ORGS.B]), makePackage(dir, c, ORGS.C, [ORGS.B])]);
      const [ra, rc] = await Promise.all([sendPackage(server.url, tA, id, { file: fromA.file }), sendPackage(server.url, tC, id, { file: fromC.file })]);
      const statuses = [ra.status, rc.status].sort();
      expect(statuses, `round ${i}: ${code(ra)} ${code(rc)}`).toEqual([201, 409]);
      const loser = ra.status === 409 ? ra : rc;
      expect(code(loser)).toBe('exMessageIdConflict');
      const winner = ra.status === 201 ? fromA : fromC;
      const inbox = ok(await get<InboxPage>(server.url, tB, `${endpoints.inbox}?limit=500`));
      expect(inbox.items.filter((x) => x.messageId === id).map((x) => x.senderOrganId)).toEqual([ra.status === 201 ? ORGS.A.code : ORGS.C.code]);
      const pkg = await get<string>(server.url, tB, endpoints.messagePackage, { messageId: id });
      expect(pkg.body.status === 'OK' && pkg.body.data).toBe(readFileSync(winner.file, 'utf8'));
    }
    const rows = await server.repo.db.all<{ message_id: string; n: number }>('SELECT message_id, COUNT(*) AS n FROM messages GROUP BY message_id HAVING COUNT(*) > 1');
    expect(rows).toEqual([]);
    expect((await server.repo.counts()).messages).toBe(rounds);
  });
});

