import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOM, incomingCsv, openStore, outgoingCsv, type NewIncoming, type Store } from '../../../main/store/index.js';
import { foldText } from '../../../main/store/fold.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-reg-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function arrival(id: string, subject: string, extra: Partial<NewIncoming> = {}): NewIncoming {
  return {
    messageId: id,
    server: 'http://127.0.0.1:1',
    fromCode: '000.00.00.H49',
    fromName: 'Ủy ban nhân dân tỉnh Quảng Nam',
    documentId: `000.00.00.H49,2026/11/22,${id}/QĐ-UBND`,
    number: id,
    notation: 'QĐ-UBND',
    type: 'Quyết định',
    subject,
    receivedAt: '2026-11-22T02:00:00.000Z',
    packagePath: `/x/${id}.edxml`,
    files: [{ name: `${id}.pdf`, contentType: 'application/pdf', path: `/x/${id}.pdf`, sha256: 'ab' }],
    ...extra,
  };
}

describe('incoming register', () => {
  it('stores an arrival once and numbers registrations per Vietnam year, restarting at 1 on 1 January', () => {
    expect(store.incoming.add(arrival('m-0001', 'Về việc A'))).toBe(true);
    expect(store.incoming.add(arrival('m-0001', 'Về việc A'))).toBe(false);
    store.incoming.add(arrival('m-0002', 'Về việc B'));
    store.incoming.add(arrival('m-0003', 'Về việc C'));
    // 31 Dec 2026 16:30 UTC is still 23:30 in Vietnam: year 2026.
    const a = store.incoming.accept('m-0001', new Date('2026-12-31T10:00:00Z'));
    const b = store.incoming.accept('m-0002', new Date('2026-12-31T16:30:00Z'));
    // 31 Dec 2026 17:30 UTC is 00:30 on 1 January 2027 in Vietnam: numbering restarts.
    const c = store.incoming.accept('m-0003', new Date('2026-12-31T17:30:00Z'));
    expect([a.arrivalYear, a.arrivalNumber, b.arrivalYear, b.arrivalNumber, c.arrivalYear, c.arrivalNumber]).toEqual([2026, 1, 2026, 2, 2027, 1]);
    expect(c.statusCode).toBe('03');
    // Accepting twice keeps the number.
    expect(store.incoming.accept('m-0001').arrivalNumber).toBe(1);
    expect(store.incoming.list({ state: 'accepted', year: 2026 }).map((d) => d.arrivalNumber)).toEqual([2, 1]);
  });

  it('requires a reason to reject and keeps it; keeps the worst validation over the PDFs', () => {
    store.incoming.add(arrival('m-0010', 'Công văn', { files: [
      { name: 'a.pdf', contentType: 'application/pdf', path: '/a', sha256: '1' },
      { name: 'b.pdf', contentType: 'application/pdf', path: '/b', sha256: '2' },
    ] }));
    expect(() => store.incoming.reject('m-0010', '  ')).toThrow(/inboxReasonRequired/);
    store.incoming.setValidation('m-0010', 'a.pdf', 'TOTAL_PASSED', { ok: 1 });
    expect(store.incoming.get('m-0010')?.validationStatus).toBe('TOTAL_PASSED');
    store.incoming.setValidation('m-0010', 'b.pdf', 'INDETERMINATE', { ok: 0 });
    expect(store.incoming.get('m-0010')?.validationStatus).toBe('INDETERMINATE');
    expect(store.incoming.files('m-0010')[0]?.validation).toEqual({ ok: 1 });
    const r = store.incoming.reject('m-0010', 'Không đúng thẩm quyền');
    expect([r.state, r.statusCode, r.reason]).toEqual(['rejected', '02', 'Không đúng thẩm quyền']);
    expect(() => store.incoming.accept('m-0010')).toThrow(/inboxAlreadyRejected/);
  });
});

describe('outgoing register', () => {
  it('keeps a per-recipient status timeline, ignoring duplicates from re-syncs', () => {
    store.outgoing.add({ messageId: 'o-1', documentId: 'd', number: '15', notation: 'QĐ-UBND', type: 'Quyết định', subject: 'Phê duyệt',
      recipients: ['000.01.00.H49', '000.02.00.H49'], files: ['a.pdf'], server: 's' });
    expect(store.outgoing.addStatus('o-1', { orgCode: '000.01.00.H49', statusCode: '01', description: null, at: '2026-11-22T01:00:00Z' })).toBe(true);
    expect(store.outgoing.addStatus('o-1', { orgCode: '000.01.00.H49', statusCode: '01', description: null, at: '2026-11-22T01:00:00Z' })).toBe(false);
    store.outgoing.addStatus('o-1', { orgCode: '000.02.00.H49', statusCode: '01', description: null, at: '2026-11-22T01:00:01Z' });
    store.outgoing.addStatus('o-1', { orgCode: '000.01.00.H49', statusCode: '03', description: null, at: '2026-11-22T01:05:00Z' });
    store.outgoing.addStatus('o-1', { orgCode: '000.02.00.H49', statusCode: '02', description: 'Sai nơi nhận', at: '2026-11-22T01:06:00Z' });
    expect(store.outgoing.addStatus('unknown', { orgCode: 'x', statusCode: '01', description: null, at: 'y' })).toBe(false);
    const d = store.outgoing.get('o-1')!;
    expect(d.timeline.map((e) => `${e.orgCode}:${e.statusCode}`)).toEqual(['000.01.00.H49:01', '000.02.00.H49:01', '000.01.00.H49:03', '000.02.00.H49:02']);
    expect(d.latest['000.02.00.H49']?.description).toBe('Sai nơi nhận');
    const csv = outgoingCsv([d]);
    expect(csv.split('\r\n')[1]).toContain('000.01.00.H49:03; 000.02.00.H49:02');
  });
});

describe('FTS search over both registers', () => {
  it('finds Vietnamese text with or without diacritics, by prefix, across registers', () => {
    expect(foldText('Đề nghị ĐIỀU CHỈNH')).toBe('de nghi dieu chinh');
    store.incoming.add(arrival('m-0100', 'Về việc đề nghị điều chỉnh quy hoạch'));
    store.incoming.add(arrival('m-0101', 'Báo cáo tình hình kinh tế'));
    store.outgoing.add({ messageId: 'o-100', documentId: 'd', number: '7', notation: 'CV-STC', type: 'Công văn', subject: 'Điều chỉnh dự toán ngân sách',
      recipients: ['000.01.00.H49'], files: ['cv.pdf'], server: 's' });
    const ids = (q: string, kind?: 'incoming' | 'outgoing') => store.search.find(q, kind).map((h) => h.messageId).sort();
    expect(ids('điều chỉnh')).toEqual(['m-0100', 'o-100']);
    expect(ids('dieu chinh', 'incoming')).toEqual(['m-0100']);
    expect(ids('quy hoa')).toEqual(['m-0100']);
    expect(ids('Quảng Nam báo cáo')).toEqual(['m-0101']);
    expect(ids('CV-STC')).toEqual(['o-100']);
    expect(ids('"; DROP')).toEqual([]);
    expect(ids('   ')).toEqual([]);
  });
});

describe('CSV export', () => {
  it('writes UTF-8 with BOM, CRLF, quoted fields and defused formulas', () => {
    store.incoming.add(arrival('m-0200', 'Về việc "khẩn", hỏa tốc'));
    store.incoming.add(arrival('m-0201', '=HYPERLINK("x")'));
    store.incoming.accept('m-0200', new Date('2026-03-01T00:00:00Z'));
    const csv = incomingCsv(store.incoming.list({ state: 'accepted' }).concat(store.incoming.list({ state: 'arrived' })));
    expect(csv.startsWith(BOM)).toBe(true);
    const buf = Buffer.from(csv, 'utf8');
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe('Số đến,Năm,Ngày đến,Ngày vào sổ,Cơ quan gửi,Mã cơ quan,Số,Ký hiệu,Loại,Trích yếu,Trạng thái,Lý do,Kiểm tra chữ ký,Mã thông điệp,Chữ ký gói tin,Ngày ban hành,Nghiệp vụ');
    expect(lines[1]).toBe('1,2026,2026-11-22T02:00:00.000Z,2026-03-01T00:00:00.000Z,Ủy ban nhân dân tỉnh Quảng Nam,000.00.00.H49,m-0200,QĐ-UBND,Quyết định,"Về việc ""khẩn"", hỏa tốc",03,,,m-0200,Không ký số,,Văn bản mới');
    expect(lines[2]).toContain(`,"'=HYPERLINK(""x"")",01,`);
    expect(lines[3]).toBe('');
  });
});
