/** renderer/src/dn.ts: the certificate picker and warnings show a CN, not a whole DN. */
import { describe, expect, it } from 'vitest';
import { displayName, dnPairs } from '../../../renderer/src/dn.js';

describe('distinguished names in the UI', () => {
  it('splits an RFC 4514 DN into pairs, keeping escaped commas in values', () => {
    expect(dnPairs('UID=CCCD:001080000001, CN=Nguyễn Văn An, O=Sở Tài chính\\, tỉnh Thử Nghiệm, C=VN')).toEqual([
      ['UID', 'CCCD:001080000001'], ['CN', 'Nguyễn Văn An'], ['O', 'Sở Tài chính, tỉnh Thử Nghiệm'], ['C', 'VN'],
    ]);
  });

  it('names a certificate by CN, else O, else the DN itself', () => {
    expect(displayName('UID=CCCD:001080000001, CN=Nguyễn Văn An, title=Phó Chủ tịch, C=VN')).toBe('Nguyễn Văn An');
    expect(displayName('O=Ủy ban nhân dân tỉnh Thử Nghiệm, C=VN')).toBe('Ủy ban nhân dân tỉnh Thử Nghiệm');
    expect(displayName('garbage')).toBe('garbage');
  });
});
