/**
 * The axis bed: the real test bed (PKI), the real inbox server (SQLite or PostgreSQL) hosting
 * A and B of one province with its gateway linked to the axis simulator, an outside body X
 * behind the simulator (its own system on the axis), and A's clerk as a Kyso client with a
 * bed-issued software key.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.js';
import { addAxisLink } from '../../../server/axis/admin.js';
import { AxisSimulator } from '../../bed/axis-sim/index.js';
import { OutsideBody, type OutsideBodyOptions } from '../../bed/axis-sim/outside-body.js';
import { createTestBed, type BedCert, type TestBed } from '../../bed/index.js';
import { FAST } from './timings.js';

/** Bodies of the bed: A and B on the Kyso server, X behind the axis, Y on the axis but silent. */
export const BODY = {
  A: { code: '000.00.00.H99', name: 'Ủy ban nhân dân tỉnh Thử Nghiệm' },
  B: { code: '000.01.00.H99', name: 'Sở Tài chính tỉnh Thử Nghiệm' },
  X: { code: '000.00.00.H41', name: 'Văn phòng UBND tỉnh Nghệ An' },
  Y: { code: '000.00.00.G22', name: 'Văn phòng Chính phủ' },
} as const;

/** The server's system on the axis. */
export const KYSO_SYSTEM = { systemId: 'kyso.h99', secret: 'bí-mật-thử-nghiệm-h99' };
/** X's system on the axis. */
export const X_SYSTEM = { systemId: 'vxp.saas.41', secret: 'secret-of-x-41' };
/** The environment variable the link reads its secret from. */
export const SECRET_ENV = 'KYSO_TEST_AXIS_SECRET';

/** PostgreSQL of the test run, when there is one. */
export const PG = process.env.KYSO_TEST_PG_URL;

/** Drops a bed's PostgreSQL schema (no-op for SQLite). */
export async function dropSchema(o: Partial<ServerOptions>): Promise<void> {
  if (!o.db || !o.pgSchema) return;
  const c = new pg.Client({ connectionString: o.db });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${o.pgSchema} CASCADE`);
  } finally {
    await c.end();
  }
}

/** Server options for a backend (a fresh PostgreSQL schema per bed). */
export function backend(kind: 'sqlite' | 'postgres'): Partial<ServerOptions> {
  return kind === 'postgres' ? { db: PG!, pgSchema: `kyso_axis_${randomUUID().replace(/-/g, '').slice(0, 12)}` } : {};
}

export { FAST } from './timings.js';

/** What the axis tests share. */
export interface AxisBed {
  bed: TestBed;
  dataDir: string;
  server: RunningServer;
  sim: AxisSimulator;
  x: OutsideBody;
  signerA: Signer;
  certA: BedCert;
  storeA: Store;
  homeA: string;
  clientA: ExchangeClient;
  close(): Promise<void>;
}

/** Starts the whole bed; `kind` picks the platform shape of the server's link (X always speaks VXP). */
export async function createAxisBed(o: { kind?: 'vxp' | 'lgsp'; db?: Partial<ServerOptions>; x?: Partial<OutsideBodyOptions> } = {}): Promise<AxisBed> {
  const bed = await createTestBed();
  const sim = await AxisSimulator.start({
    systems: [
      { ...KYSO_SYSTEM, agencies: [BODY.A, BODY.B] },
      { ...X_SYSTEM, agencies: [BODY.X] },
      { systemId: 'vxp.saas.22', secret: 'secret-y', agencies: [BODY.Y] },
    ],
  });
  sim.addLgspClient({ clientId: 'kyso-h99', clientSecret: KYSO_SYSTEM.secret, secretId: 'unit-secret-h99', systemId: KYSO_SYSTEM.systemId });
  process.env[SECRET_ENV] = KYSO_SYSTEM.secret;
  process.env[`${SECRET_ENV}_ID`] = 'unit-secret-h99';
  const dataDir = path.join(bed.dir, 'server');
  mkdirSync(dataDir, { recursive: true });
  const server = await startServer({ dataDir, port: 0, trustFiles: [bed.certs.root.certPath], axis: FAST, log: () => undefined, ...o.db });
  await server.repo.addOrg({ ...BODY.A, parent: null });
  await server.repo.addOrg({ ...BODY.B, parent: BODY.A.code });
  const issued = await bed.pki.issue({ name: 'clerk-a', profile: 'official', subject: [['C', 'VN'], ['O', BODY.A.name], ['CN', 'Văn thư UBND tỉnh']] });
  const certA = bed.loadCert(issued);
  const signerA = softwareSigner(readFileSync(issued.keyPath!), certA.der, [bed.certs.issuing.der]);
  await server.repo.addUser({ orgCode: BODY.A.code, certSha256: createHash('sha256').update(certA.der).digest('hex'), subject: certA.subject, certDer: certA.der.toString('base64') });
  const kind = o.kind ?? 'vxp';
  await addAxisLink(server.repo, dataDir, kind === 'vxp'
    ? { name: 'vxp', kind, endpoint: sim.vxpUrl, systemId: KYSO_SYSTEM.systemId, secret: { env: SECRET_ENV } }
    : { name: 'lgsp', kind, endpoint: sim.lgspUrl, clientId: 'kyso-h99', secret: { env: SECRET_ENV }, secretId: { env: `${SECRET_ENV}_ID` } });
  const x = new OutsideBody({
    home: path.join(bed.dir, 'body-x'), ...BODY.X, axis: { kind: 'vxp', endpoint: sim.vxpUrl, ...X_SYSTEM }, pollMs: 100, ...o.x,
  });
  x.start();
  const homeA = path.join(bed.dir, 'home-a');
  const storeA = openStore(homeA);
  const clientA = new ExchangeClient({ store: storeA, home: homeA, server: server.url, signer: async () => signerA, validator: defaultValidator([readFileSync(bed.certs.root.certPath)], true, homeA) });
  return {
    bed, dataDir, server, sim, x, signerA, certA, storeA, homeA, clientA,
    async close() {
      await x.stop();
      storeA.close();
      await server.close().catch(() => undefined);
      await sim.close();
      await bed.close();
      await dropSchema(o.db ?? {});
    },
  };
}

/** Waits until `probe` returns a truthy value (bounded). */
export async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `p`, or a failure naming `what` after `ms` (a stuck server fails the test instead of hanging it). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_r, reject) => (t = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}
