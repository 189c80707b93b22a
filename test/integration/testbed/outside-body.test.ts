/**
 * The demo is a working office (issue 14, point 8): `startDemoOffice` (what `npm start` runs)
 * starts the inbox server with a second, outside body on it that answers through Kyso's own
 * exchange client: a document sent to it comes back as 01 (arrived) then 03 (registered); when
 * the sender set a reply-by date it also sends a signed reply letter, which arrives here
 * valid. And the app is set up for the servers the demo started.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { DEMO_ORG, OUTSIDE_ORG, setupDemo, startDemoOffice, type DemoOffice } from '../../bed/demo.js';
import type { TestBed } from '../../bed/index.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-office-'));
let bed: TestBed;
let office: DemoOffice;
let store: Store;
let clerk: ExchangeClient;

/** Polls `f` until it returns a value (bounded: 90 s). */
async function until<T>(f: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 180; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('timed out');
}

beforeAll(async () => {
  bed = await setupDemo(home, 0);
  office = await startDemoOffice(home, bed, 0, (l) => process.stderr.write(`${l}\n`));
  // A second clerk of the demo organization with a software key, so this process can talk
  // to the server without the token bridge; this process trusts the demo's TLS root too.
  const c = bed.loadCert(await bed.pki.issue({ name: 'clerk-test', profile: 'seal', subject: [['C', 'VN'], ['O', DEMO_ORG.name], ['CN', 'Văn thư thử nghiệm']] }));
  // Asynchronous: `user add` fetches the issuing CA from the bed's AIA responder in this process.
  await promisify(execFile)(process.execPath, [path.resolve('bin/kyso.js'), 'server', 'user', 'add', '--data', path.join(home, 'demo', 'inbox-server'),
    '--trust', bed.certs.root.certPath, '--org', DEMO_ORG.code, '--cert', c.certPath], { env: office.env });
  https.globalAgent.options.ca = [readFileSync(bed.certs.root.certPath)];
  const clerkHome = path.join(home, 'clerk');
  store = openStore(clerkHome);
  clerk = new ExchangeClient({ store, home: clerkHome, server: office.inboxUrl, signer: async () => softwareSigner(readFileSync(c.keyPath!), c.der, [bed.certs.issuing.der]), validator: defaultValidator([bed.certs.root.der], false, clerkHome) });
}, 240_000);

afterAll(async () => {
  store?.close();
  await office?.stop();
  await bed?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the demo office', () => {
  it('sets the app up for its inbox server, connecting certificate, TSA and images', () => {
    const app = openStore(home);
    try {
      expect(app.settings.get('exchange.server')).toBe(office.inboxUrl);
      expect(app.settings.get('exchange.signer')).toMatchObject({ module: bed.module, label: 'Kyso Demo' });
      expect(app.settings.get('sign.tsaUrl')).toBe(bed.urls.tsa);
      expect(String(app.settings.get('sign.sealImage'))).toMatch(/con-dau\.png$/);
    } finally {
      app.close();
    }
  });

  it('registers what it receives (01, then 03) and replies with a valid signed letter when a reply-by date is set', { timeout: 180_000 }, async () => {
    const sample = path.resolve('test/fixtures/cong-van-mau.pdf');
    const asked = await clerk.queue({ to: [OUTSIDE_ORG.code], subject: 'Đề nghị báo cáo tình hình', number: '125', notation: 'UBND-VP', type: 'Công văn', files: [sample], meta: { dueDate: '2026-12-20' } });
    const plain = await clerk.queue({ to: [OUTSIDE_ORG.code], subject: 'Thông báo lịch họp', number: '126', notation: 'UBND-VP', type: 'Thông báo', files: [sample] });
    await clerk.flush();
    for (const id of [asked.messageId, plain.messageId]) {
      const codes = await until(async () => {
        await clerk.sync();
        const d = store.outgoing.get(id)!;
        const seen = d.timeline.filter((e) => e.orgCode === OUTSIDE_ORG.code).map((e) => e.statusCode);
        return seen.includes('03') ? seen : undefined;
      });
      expect(codes.indexOf('01')).toBeGreaterThanOrEqual(0);
      expect(codes.indexOf('01')).toBeLessThan(codes.indexOf('03'));
    }
    const reply = await until(async () => {
      await clerk.sync();
      return store.incoming.list({ limit: 100 }).find((d) => d.fromCode === OUTSIDE_ORG.code && d.validationStatus !== null);
    });
    expect(reply.subject).toContain('125/UBND-VP');
    expect(reply.validationStatus).toBe('TOTAL_PASSED');
    const text = execFileSync('pdftotext', ['-layout', store.incoming.files(reply.messageId)[0]!.path, '-'], { encoding: 'utf8' });
    expect(text).toContain('V/v phúc đáp văn bản số 125/UBND-VP');
    // Only the document with a reply-by date was answered with a letter.
    expect(store.incoming.list({ limit: 100 }).filter((d) => d.fromCode === OUTSIDE_ORG.code)).toHaveLength(1);
    expect(office.outside.output()).toMatch(/registered 126\/UBND-VP/);
  });
});
