/**
 * A sent document's issue date (Decree 30 ngày ban hành) is part of its DocumentId and so of
 * its message id. `kyso send --date YYYY-MM-DD` fixes it, so the same command repeated across
 * midnight in Vietnam (17:00 UTC) is the same document; without it the date is today in
 * Vietnam, never the UTC date.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { contract } from '../../../main/api/index.js';
import { runCli } from '../../../main/cli/run.js';
import { composeAndQueue } from '../../../main/exchange/client/compose.js';
import { organizationSettingKey } from '../../../main/exchange/client/index.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import { openStore } from '../../../main/store/index.js';

const SERVER = 'http://127.0.0.1:9';
const FROM = { code: '000.00.00.H49', name: 'UBND tỉnh Quảng Nam' };
let dir: string;
let key: string;
let cert: string;
let pdf: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-issue-date-'));
  key = path.join(dir, 'k.pem');
  cert = path.join(dir, 'c.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=Văn thư', '-utf8', '-keyout', key, '-out', cert, '-days', '2'], { stdio: 'ignore' });
  pdf = path.join(dir, 'cv.pdf');
  writeFileSync(pdf, readFileSync('test/fixtures/cong-van-mau.pdf'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

/** A home that knows its organization (as after a first login), so queueing needs no server. */
function home(name: string): string {
  const h = path.join(dir, name);
  const store = openStore(h);
  store.settings.set(organizationSettingKey(SERVER), FROM);
  store.close();
  return h;
}

async function send(h: string, extra: string[]) {
  let out = '';
  let err = '';
  const argv = ['--lang', 'en', 'send', '--server', SERVER, '--to', '000.01.00.H49', '--subject', 'Công văn về lịch họp', '--number', '8', '--notation', 'CV-UBND',
    '--type', 'Công văn', '--key-file', key, '--cert-file', cert, '--no-upload', '--json', ...extra, pdf];
  const code = await runCli(argv, { env: { KYSO_HOME: h }, out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, err, res: code === 0 ? (JSON.parse(out) as { messageId: string; documentId: string; queued: boolean }) : undefined };
}

describe('issue date of a sent document', () => {
  it('kyso send --date: the same command before and after midnight in Vietnam is one document', async () => {
    const h = home('same-date');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-21T16:59:58Z'));
    const before = await send(h, ['--date', '2026-11-21']);
    vi.setSystemTime(new Date('2026-11-21T17:00:02Z'));
    const after = await send(h, ['--date', '2026-11-21']);
    expect(before).toMatchObject({ code: 0, res: { queued: true, documentId: '000.00.00.H49,2026/11/21,8/CV-UBND' } });
    expect(after).toMatchObject({ code: 0, res: { queued: false, messageId: before.res!.messageId } });
  });

  it('without --date the issue date is today in Vietnam, not the UTC date', async () => {
    const h = home('default-date');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-31T17:30:00Z'));
    const r = await send(h, []);
    expect(r.err).toBe('');
    expect(r.res!.documentId).toBe('000.00.00.H49,2027/01/01,8/CV-UBND');
  });

  it('a date that is not a day is a usage error, in the user language', async () => {
    const r = await send(home('bad-date'), ['--date', '2026-02-30']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--date');
    expect(r.err).toContain('YYYY-MM-DD');
    expect(contract['exchange:send'].input.safeParse({ to: ['000.01.00.H49'], subject: 's', number: '1', notation: 'CV', type: 'Công văn', files: ['/a.pdf'], issueDate: '2026-02-30' }).success).toBe(false);
    expect(contract['exchange:send'].input.safeParse({ to: ['000.01.00.H49'], subject: 's', number: '1', notation: 'CV', type: 'Công văn', files: ['/a.pdf'], issueDate: '2026-02-28' }).success).toBe(true);
  });

  it('the composer takes the issue date as given, whatever the clock says', async () => {
    const h = path.join(dir, 'compose');
    const store = openStore(h);
    try {
      const signer = softwareSigner(readFileSync(key), execFileSync('openssl', ['x509', '-in', cert, '-outform', 'DER']));
      const input = { server: SERVER, from: FROM, to: [{ code: '000.01.00.H49', name: 'Sở Tài chính' }], subject: 'Tờ trình', number: '9', notation: 'TTr-UBND', type: 'Tờ trình', files: [pdf] };
      const a = await composeAndQueue(store, h, signer, { ...input, issueDate: '2026-11-21', date: new Date('2026-11-21T16:59:58Z') });
      const b = await composeAndQueue(store, h, signer, { ...input, issueDate: '2026-11-21', date: new Date('2026-11-22T09:00:00Z') });
      expect(b).toEqual({ ...a, queued: false });
      await expect(composeAndQueue(store, h, signer, { ...input, issueDate: '22/11/2026' })).rejects.toMatchObject({ code: 'exBadIssueDate' });
    } finally {
      store.close();
    }
  });
});
