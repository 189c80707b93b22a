/**
 * The demo's national axis (test/bed/axis-sim/demo.ts, started by `npm start`): the inbox
 * server gets linked with `kyso server axis add` (secret file outside the data directory),
 * the demo organization sends to the outside body and sees 01 then 03, the outside body's
 * own document arrives signed RSA-SHA1 by xmlsec1 (shown as valid with a weak algorithm), and
 * a later run on another port links the server again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { startAxisDemo, DEMO_OUTSIDE, type AxisDemo } from '../../bed/axis-sim/demo.js';
import { DEMO_ORG } from '../../bed/demo.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { closedPortUrl } from '../../bed/server.js';
import { until } from '../axis/bed.js';
import { FAST } from '../axis/timings.js';

const BIN = path.join(import.meta.dirname, '..', '..', '..', 'bin', 'kyso.js');
const kyso = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, KYSO_FROM_SOURCE: '1' } });
  if (r.status !== 0) throw new Error(`kyso ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

let bed: TestBed;
let server: RunningServer;
let demo: AxisDemo | undefined;
let store: Store;
let client: ExchangeClient;
const lines: string[] = [];

beforeAll(async () => {
  bed = await createTestBed();
  const dataDir = path.join(bed.dir, 'inbox-server');
  mkdirSync(dataDir, { recursive: true });
  server = await startServer({ dataDir, port: 0, trustFiles: [bed.certs.root.certPath], axis: FAST });
  await server.repo.addOrg({ ...DEMO_ORG, parent: null });
  const issued = await bed.pki.issue({ name: 'demo-clerk', profile: 'official', subject: [['C', 'VN'], ['O', DEMO_ORG.name], ['CN', 'Văn thư']] });
  const cert = bed.loadCert(issued);
  await server.repo.addUser({ orgCode: DEMO_ORG.code, certSha256: createHash('sha256').update(cert.der).digest('hex'), subject: cert.subject, certDer: cert.der.toString('base64') });
  const home = path.join(bed.dir, 'home');
  store = openStore(home);
  const signer = softwareSigner(readFileSync(issued.keyPath!), cert.der, [bed.certs.issuing.der]);
  client = new ExchangeClient({ store, home, server: server.url, signer: async () => signer, validator: defaultValidator([], true, home) });
});

afterAll(async () => {
  await demo?.stop();
  store?.close();
  await server?.close();
  await bed?.close();
});

describe('the demo\'s national axis', () => {
  const dir = () => path.join(bed.dir, 'axis');
  const start = async () => startAxisDemo({ dir: dir(), dataDir: path.join(bed.dir, 'inbox-server'), port: Number(new URL(await closedPortUrl()).port), orgs: [DEMO_ORG], kyso, log: (l) => lines.push(l) });

  it('links the server once, with a secret file outside its data directory', async () => {
    demo = await start();
    const secret = path.join(dir(), 'kyso-demo.secret');
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    await until(async () => (await client.directory(true)).some((o) => o.code === DEMO_OUTSIDE.code && o.outside), 'the outside body in the directory');
    expect((await client.directory()).filter((o) => o.outside).length).toBe(4);
  });

  it('the outside body answers 01 then 03, and its own document arrives signed RSA-SHA1', async () => {
    const pdf = path.join(bed.dir, 'cv.pdf');
    writeFileSync(pdf, '%PDF-1.4\n% công văn\n%%EOF\n');
    const q = await client.queue({ to: [DEMO_OUTSIDE.code], subject: 'Đề nghị phối hợp', number: '12', notation: 'UBND-VP', type: 'Công văn', files: [pdf] });
    await client.flush();
    await until(async () => {
      await client.sync();
      return store.outgoing.get(q.messageId)!.timeline.some((e) => e.statusCode === '03');
    }, '03 from the outside body');
    expect(store.outgoing.get(q.messageId)!.timeline.map((e) => e.statusCode)).toEqual(['01', '03']);
    const sent = await demo!.body.send({ to: [DEMO_ORG], subject: 'Giấy mời họp', number: '5', notation: 'GM-VP' });
    const doc = await until(async () => {
      await client.sync();
      return store.incoming.list({ limit: 10 }).find((d) => d.documentId === sent.documentId);
    }, 'the outside body\'s document');
    expect(doc.signatureState).toBe('valid-weak-algorithm');
    expect(doc.signatureAlgorithm).toBe('RSA-SHA1');
    expect(lines.some((l) => l.includes('registered 12/UBND-VP'))).toBe(true);
  });

  it('a later run on another port links the server again', async () => {
    await demo!.stop();
    demo = await start();
    const list = spawnSync(process.execPath, [BIN, 'server', 'axis', 'list', '--data', path.join(bed.dir, 'inbox-server'), '--json'], { encoding: 'utf8', env: { ...process.env, KYSO_FROM_SOURCE: '1' } });
    expect((JSON.parse(list.stdout) as { endpoint: string }[]).map((l) => l.endpoint)).toEqual([demo.url]);
  });
});
