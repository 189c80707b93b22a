/**
 * The VGCA-compatible service against bad input and hostile or broken peers: every case gets
 * a reply with a clear Status and a Vietnamese message, nothing reaches the upload handler
 * unless the document was signed completely, and one site cannot raise a storm of questions.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { DOCSYS_SESSION, startDocSys, type DocSys } from '../../bed/docsys.js';
import { approveWith, startHarness, vgca, wsCall, type Harness } from './harness.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let bed: TestBed;
let docs: DocSys;
let other: DocSys;
let h: Harness;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-svc-bad-'));
  bed = await createTestBed();
  docs = await startDocSys(path.join(work, 'docsys'));
  other = await startDocSys(path.join(work, 'other'));
  h = await startHarness(bed, (c) => {
    c.maxFileBytes = 4 << 20;
    c.fetchTimeoutMs = 2_000;
    c.uploadTimeoutMs = 2_000;
    c.consentTimeoutMs = 4_000;
  });
  // The test's site is already allowed: these cases are about what comes after.
  h.store.settings.set('service.origins', { [docs.origin]: { allowed: true, at: new Date().toISOString() } });
  h.answer(approveWith(bed.tokens.official.pin));
}, 120_000);

afterAll(async () => {
  await h?.close();
  await docs?.close();
  await other?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

function serve(site: DocSys, name: string, bytes?: Buffer): string {
  const f = path.join(work, `${site.port}-${name}`);
  if (bytes) writeFileSync(f, bytes);
  else copyFileSync(FIXTURE, f);
  return site.addFile(name, f);
}

const session = { SessionId: DOCSYS_SESSION.sessionId, JWTToken: DOCSYS_SESSION.jwt };
const req = (FileName: string, handler = '/upload') => ({ FileUploadHandler: `${docs.origin}${handler}`, ...session, FileName });

/** No temp files of jobs are left behind. */
function noWorkLeft(): void {
  let left: string[];
  try {
    left = readdirSync(path.join(h.home, 'local-service', 'work'));
  } catch {
    left = [];
  }
  expect(left).toEqual([]);
}

describe('bad requests get a clear reply', () => {
  it.each([
    ['malformed JSON', 'SignApproved', '{"FileName": ', /không đúng định dạng/],
    ['JSON that is not an object', 'SignApproved', '[1,2]', /không đúng định dạng/],
    ['a wrong field type', 'SignApproved', JSON.stringify({ FileName: { x: 1 } }), /FileName/],
    ['an unknown endpoint', 'FormatDisk', '{}', /không có chức năng "FormatDisk"/],
    ['a known endpoint Kyso does not do', 'SignXML', '{}', /chưa hỗ trợ chức năng "SignXML"/],
  ])('%s', async (_name, endpoint, body, message) => {
    const before = h.prompts.length;
    const r = await vgca(h, endpoint, body, docs.origin);
    expect(r.Status).toBe(1);
    expect(String(r.Message)).toMatch(message);
    expect(h.prompts.length).toBe(before);
  });

  it.each([
    ['a 150-character DocNumber', 'SignIssued', { DocNumber: `${'1'.repeat(150)}/QĐ-UBND`, IssuedDate: '2026-11-22' }, /“Số, ký hiệu văn bản” dài 158 ký tự, quá 100 ký tự/],
    ['a 5000-character SoDen', 'SignIncome', { MetaData: [{ Key: 'SoDen', Value: 'x'.repeat(5000) }] }, /“Số đến” dài 5000 ký tự, quá 100 ký tự/],
    ['an IssuedDate that is no date', 'SignIssued', { DocNumber: '12/QĐ-UBND', IssuedDate: 'ngày mai' }, /Ngày ban hành “ngày mai” không hợp lệ/],
  ])('a stamp Kyso cannot show (%s) is refused before any question', async (_n, endpoint, extra, message) => {
    const before = { prompts: h.prompts.length, uploads: docs.uploads.length };
    const r = await vgca(h, endpoint, { ...req(serve(docs, 'stamp.pdf')), ...extra }, docs.origin);
    expect(r.Status).toBe(1);
    expect(String(r.Message)).toMatch(message);
    expect(h.prompts.length).toBe(before.prompts);
    expect(docs.uploads.length).toBe(before.uploads);
    noWorkLeft();
  });

  it('a request without Origin (not from a browser page) is refused', async () => {
    const r = await vgca(h, 'GetVersion', '', undefined);
    expect(r).toMatchObject({ Status: 1 });
    expect(String(r.Message)).toMatch(/thiếu Origin/);
  });

  it('a FileName on another host is refused before anything is fetched or asked', async () => {
    const url = serve(other, 'la.pdf');
    const before = h.prompts.length;
    const r = await vgca(h, 'SignApproved', req(url), docs.origin);
    expect(r.Status).toBe(1);
    expect(String(r.Message)).toContain(`không thuộc trang ${docs.origin}`);
    expect(other.hits.get('/files/la.pdf')).toBeUndefined();
    expect(h.prompts.length).toBe(before);
  });

  it('an upload handler on another host is refused', async () => {
    const r = await vgca(h, 'SignApproved', { ...req(serve(docs, 'a.pdf')), FileUploadHandler: `${other.origin}/upload` }, docs.origin);
    expect(r.Status).toBe(1);
    expect(String(r.Message)).toContain(other.origin);
    expect(other.uploads).toHaveLength(0);
  });

  it.each([
    ['not a PDF', '/notpdf', /không phải tệp PDF/],
    ['a 404', '/files/khong-co.pdf', /HTTP 404/],
    ['too large', '/endless', /lớn hơn giới hạn 4 MB/],
    ['too slow', '/slow', /không trả lời đầy đủ trong 2 giây/],
  ])('a document that is %s: Status 1, nothing asked or uploaded', async (_n, p, message) => {
    const before = { prompts: h.prompts.length, uploads: docs.uploads.length };
    const r = await vgca(h, 'SignApproved', req(`${docs.origin}${p}`), docs.origin);
    expect(r.Status).toBe(1);
    expect(String(r.Message)).toMatch(message);
    expect(h.prompts.length).toBe(before.prompts);
    expect(docs.uploads.length).toBe(before.uploads);
    noWorkLeft();
  });

  it('an upload handler that fails or hangs: Status 1 saying the document did not arrive', async () => {
    const failed = await vgca(h, 'SignApproved', req(serve(docs, 'f.pdf'), '/upload-fail'), docs.origin);
    expect(failed.Status).toBe(1);
    expect(String(failed.Message)).toMatch(/từ chối nhận văn bản đã ký \(HTTP 500\).*chưa được chuyển/);
    const hung = await vgca(h, 'SignApproved', req(serve(docs, 'g.pdf'), '/upload-hang'), docs.origin);
    expect(hung.Status).toBe(1);
    expect(String(hung.Message)).toMatch(/không trả lời trong 2 giây/);
    noWorkLeft();
  });
});

describe('consent', () => {
  it('refusing gives Status 11 and no upload', async () => {
    h.answer((p) => (p.kind === 'sign' ? { approve: false } : { approve: true }));
    const before = docs.uploads.length;
    const r = await vgca(h, 'SignApproved', req(serve(docs, 'r.pdf')), docs.origin);
    expect(r.Status).toBe(11);
    expect(docs.uploads.length).toBe(before);
    expect(h.prompts.at(-1)!.outcome).toBe('refused');
    h.answer(approveWith(bed.tokens.official.pin));
  });

  it('a wrong PIN keeps the question open; the right one signs', async () => {
    let tries = 0;
    h.answer((p) => {
      if (p.kind !== 'sign') return { approve: true };
      tries++;
      return { approve: true, pin: tries === 1 ? '000000' : bed.tokens.official.pin, placement: { page: 1, rect: [300, 100, 170, 70] } };
    });
    const entry = () => h.prompts.at(-1)!;
    const pending = vgca(h, 'SignApproved', req(serve(docs, 'pin.pdf')), docs.origin);
    // The first answer fails with the token's error; the dialog would show it and ask again.
    for (let i = 0; i < 100 && !entry().answerError; i++) await new Promise((r) => setTimeout(r, 50));
    expect(entry().answerError).toMatch(/^tokenPinIncorrect/);
    await h.consent.answer(entry().prompt.id, { approve: true, pin: bed.tokens.official.pin, placement: { page: 1, rect: [300, 100, 170, 70] } });
    const r = await pending;
    expect(r.Status, String(r.Message)).toBe(0);
    h.answer(approveWith(bed.tokens.official.pin));
  });

  it('a site the user refused once is refused from then on without any question', async () => {
    const site = await startDocSys(path.join(work, 'refused'));
    try {
      h.answer((p) => (p.kind === 'origin' ? { approve: false } : undefined));
      const first = await vgca(h, 'SignApproved', { ...req(serve(site, 'x.pdf')), FileUploadHandler: `${site.origin}/upload`, FileName: `${site.origin}/files/x.pdf` }, site.origin);
      expect(first.Status).toBe(11);
      const asked = h.prompts.length;
      expect(h.prompts.at(-1)!.prompt.kind).toBe('origin');
      const again = await vgca(h, 'SignApproved', { ...req(''), FileUploadHandler: `${site.origin}/upload`, FileName: `${site.origin}/files/x.pdf` }, site.origin);
      expect(again.Status).toBe(1);
      expect(String(again.Message)).toContain(`Trang ${site.origin} không được phép`);
      expect(h.prompts.length).toBe(asked);
      expect(site.hits.get('/files/x.pdf')).toBeUndefined();
    } finally {
      await site.close();
      h.answer(approveWith(bed.tokens.official.pin));
    }
  });

  it('a question nobody answers times out with a clear message', async () => {
    h.answer(() => undefined);
    const r = await vgca(h, 'SignApproved', req(serve(docs, 't.pdf')), docs.origin);
    expect(r.Status).toBe(1);
    expect(String(r.Message)).toMatch(/Không có trả lời trong Kyso/);
    expect(h.prompts.at(-1)!.outcome).toBe('cancelled');
    h.answer(approveWith(bed.tokens.official.pin));
  });

  it('a page that goes away closes its question; nothing is uploaded', async () => {
    h.answer(() => undefined);
    const before = docs.uploads.length;
    const asked = h.prompts.length;
    const r = await wsCall(`wss://127.0.0.1:${h.service.vgca.port}/SignApproved`, JSON.stringify(req(serve(docs, 'gone.pdf'))), {
      origin: docs.origin, caFile: h.service.tls.caFile, timeoutMs: 1_500,
    });
    expect(r.error).toBe('timeout');
    for (let i = 0; i < 50 && h.prompts[asked]?.outcome === undefined; i++) await new Promise((res) => setTimeout(res, 50));
    expect(h.prompts[asked]!.outcome).toBe('cancelled');
    expect(docs.uploads.length).toBe(before);
    h.answer(approveWith(bed.tokens.official.pin));
  });

  it('a flood from one site: a few wait in line, the rest are refused at once; one question at a time', async () => {
    const asked = h.prompts.length;
    h.maxOpen = 0;
    const urls = Array.from({ length: 12 }, (_, i) => serve(docs, `flood-${i}.pdf`));
    const replies = await Promise.all(urls.map((u) => vgca(h, 'SignApproved', req(u), docs.origin)));
    const ok = replies.filter((r) => r.Status === 0).length;
    const busy = replies.filter((r) => r.Status === 1 && /yêu cầu ký số chờ xử lý/.test(String(r.Message))).length;
    expect(ok).toBe(h.config.perOriginQueue + 1);
    expect(busy).toBe(12 - ok);
    expect(h.prompts.length - asked).toBe(ok);
    expect(h.maxOpen).toBe(1);
  });

  it('two sites at once are both served, one question after the other', async () => {
    const site = await startDocSys(path.join(work, 'second'));
    try {
      h.maxOpen = 0;
      const [a, b] = await Promise.all([
        vgca(h, 'SignApproved', req(serve(docs, 'p1.pdf')), docs.origin),
        vgca(h, 'SignApproved', { FileUploadHandler: `${site.origin}/upload`, ...session, FileName: serve(site, 'p2.pdf') }, site.origin),
      ]);
      expect([a.Status, b.Status]).toEqual([0, 0]);
      expect(site.uploads).toHaveLength(1);
      expect(h.maxOpen).toBe(1);
    } finally {
      await site.close();
    }
  });
});

describe('the token', () => {
  it('pulled out (its bridge killed) right after the PIN, before the signature: Status 1, nothing uploaded', async () => {
    const before = docs.uploads.length;
    let killed = 0;
    // The question closes as approved once the login went through; the token goes away then.
    h.onClosed = (_id, outcome) => {
      if (outcome !== 'approved') return;
      killed = h.manager.client(bed.module).pid ?? 0;
      process.kill(killed, 'SIGKILL');
    };
    const pending = vgca(h, 'SignApproved', req(serve(docs, 'rut-token.pdf')), docs.origin);
    const r = await pending;
    h.onClosed = undefined;
    expect(killed).toBeGreaterThan(0);
    expect(r.Status).toBe(1);
    expect(String(r.Message)).toMatch(/Token đã bị rút ra .* chưa được ký và chưa được gửi đi/);
    expect(docs.uploads.length).toBe(before);
    noWorkLeft();
    // The service recovers: the next request signs (a fresh bridge, a fresh login).
    const again = await vgca(h, 'SignApproved', req(serve(docs, 'sau.pdf')), docs.origin);
    expect(again.Status, String(again.Message)).toBe(0);
  });
});
