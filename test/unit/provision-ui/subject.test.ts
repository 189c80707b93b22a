/** The CSR form's subject text round-trips through the core's parser (native/csr.ts). */
import { describe, expect, it } from 'vitest';
import { parseSubject } from '../../../native/csr.js';
import { subjectText } from '../../../renderer/src/screens/tokens/subject.js';

describe('CSR form subject text', () => {
  it('keeps the field order, skips empty fields and trims', () => {
    const text = subjectText({ UID: 'CCCD:001190012345', C: 'VN', CN: ' Nguyễn Văn An ', O: 'UBND xã Tân Lập', OU: '', ST: 'Hà Giang' });
    expect(text).toBe('CN=Nguyễn Văn An,O=UBND xã Tân Lập,ST=Hà Giang,C=VN,UID=CCCD:001190012345');
    expect(parseSubject(text)).toEqual([['CN', 'Nguyễn Văn An'], ['O', 'UBND xã Tân Lập'], ['ST', 'Hà Giang'], ['C', 'VN'], ['UID', 'CCCD:001190012345']]);
  });

  it('escapes commas and backslashes so a value stays one attribute', () => {
    const values = { CN: 'Trần Thị B', O: 'Sở Nội vụ, tỉnh Hà Giang', OU: 'Phòng A\\B', C: 'VN' };
    expect(parseSubject(subjectText(values))).toEqual([['CN', 'Trần Thị B'], ['O', 'Sở Nội vụ, tỉnh Hà Giang'], ['OU', 'Phòng A\\B'], ['C', 'VN']]);
  });

  it('gives the core an empty subject when nothing is filled (the core refuses it)', () => {
    expect(subjectText({ C: ' ' })).toBe('');
    expect(() => parseSubject(subjectText({}))).toThrow();
  });
});
