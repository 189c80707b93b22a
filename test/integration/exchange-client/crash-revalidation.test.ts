/**
 * Crash recovery of the arrival checks: when the process dies after an arrival is stored but
 * before its PDFs are validated, the next sync validates them. A PDF is found by what its
 * bytes are (the stored type), not by the name or type it was sent with: `ho-so.docx` whose
 * bytes are a PDF is stored as .pdf and must get its verdict too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxSync } from '../../../main/exchange/client/sync.js';
import { defaultValidator, type PdfValidator } from '../../../main/exchange/client/validate.js';
import { writePackage } from '../../../main/exchange/edxml/index.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { fieldInboxApi } from '../../unit/exchange-edxml/field-inbox.js';
import { testSigner } from '../../unit/exchange-edxml/keys.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
let home: string;
let store: Store;
let pkg: string;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'kyso-crash-revalidation-'));
  store = openStore(home);
  pkg = path.join(home, 'incoming.edxml');
  await writePackage({
    header: {
      from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' }, to: [{ organId: '000.00.01.H49', organName: 'Sở Tài chính' }],
      code: { codeNumber: '12', codeNotation: 'TTr-UBND' }, promulgationInfo: { place: 'Tam Kỳ', promulgationDate: '2026/11/22' },
      documentType: { type: 1, typeDetail: 3, typeName: 'Tờ trình' }, subject: 'Hồ sơ gửi kèm', signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn Á' },
    },
    attachments: [
      // A PDF sent under a Word name and type, as scanners and older systems do.
      { meta: { contentId: 'hs', attachmentName: 'ho-so.docx', contentType: DOCX }, data: readFileSync('test/fixtures/cong-van-mau.pdf') },
      { meta: { contentId: 'gc', attachmentName: 'ghi-chu.txt', contentType: 'text/plain' }, data: Buffer.from('Kính gửi Sở Tài chính.\n') },
    ],
  }, await testSigner('RSA', 'Văn thư UBND tỉnh'), pkg);
});
afterAll(() => {
  store?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('PDF validation after a crash', () => {
  it('the next sync validates a PDF sent as ho-so.docx that the crash left without a verdict', async () => {
    const api = fieldInboxApi('https://truc.example.gov.vn', [pkg]);
    // The process "dies" in the validator: the arrival is stored, its verdict is not.
    const dies: PdfValidator = async () => {
      throw new Error('process killed during validation');
    };
    await expect(new InboxSync(store, home, api, dies).sync()).rejects.toThrow('process killed');
    const [pdf, text] = store.incoming.files('field-1');
    expect(pdf).toMatchObject({ name: 'ho-so.docx', contentType: DOCX, detectedType: 'application/pdf', validationStatus: null });
    expect(path.basename(pdf!.path)).toBe('01-ho-so.pdf');
    expect(path.basename(text!.path)).toBe('02-ghi-chu.txt');
    expect(store.incoming.pendingValidation('https://truc.example.gov.vn')).toEqual(['field-1']);

    // Restarted: the real validator (offline) gives the unsigned PDF its verdict; the text file gets none.
    const seen: string[] = [];
    const real = defaultValidator([], true, home);
    const r = await new InboxSync(store, home, api, async (f) => (seen.push(path.basename(f)), real(f))).sync();
    expect(r.received).toBe(0);
    expect(seen).toEqual(['01-ho-so.pdf']);
    expect(store.incoming.files('field-1').map((f) => [f.name, f.validationStatus])).toEqual([['ho-so.docx', 'NO_SIGNATURE'], ['ghi-chu.txt', null]]);
    expect(store.incoming.require('field-1').validationStatus).toBe('NO_SIGNATURE');
    expect(store.incoming.pendingValidation('https://truc.example.gov.vn')).toEqual([]);
  });
});
