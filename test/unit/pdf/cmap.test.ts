import { describe, expect, it } from 'vitest';
import { parseToUnicode } from '../../../main/pdf/cmap.js';
import { toUnicodeCMap } from '../../../main/pdf/font.js';

describe('ToUnicode CMaps', () => {
  it('reads bfchar, incrementing bfrange and array bfrange', () => {
    const cmap = `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0003> <0020> <0010> <1EC7> endbfchar
2 beginbfrange <0020> <0022> <0041> <0030> <0031> [<00500048> <D835DC00>] endbfrange
endcmap`;
    const { map, codeLength } = parseToUnicode(Buffer.from(cmap, 'latin1'));
    expect(codeLength).toBe(2);
    expect(map.get(3)).toBe(' ');
    expect(map.get(0x10)).toBe('ệ');
    expect([map.get(0x20), map.get(0x21), map.get(0x22)]).toEqual(['A', 'B', 'C']);
    expect(map.get(0x30)).toBe('PH');
    expect(map.get(0x31)).toBe('\u{1D400}');
  });

  it('round-trips the CMap our embedded fonts write, ligatures included', () => {
    const glyphs = [{ cid: 1, codePoints: [0x1ec7] }, { cid: 2, codePoints: [0x66, 0x69] }, { cid: 3, codePoints: [] }];
    const { map } = parseToUnicode(Buffer.from(toUnicodeCMap(glyphs), 'latin1'));
    expect(map.get(1)).toBe('ệ');
    expect(map.get(2)).toBe('fi');
    expect(map.has(3)).toBe(false);
  });

  it('never throws on garbage', () => {
    const junk = Buffer.from('beginbfrange <00> [ <01 (x) >> endbfchar ]]] <zz> beginbfchar', 'latin1');
    expect(() => parseToUnicode(junk)).not.toThrow();
  });
});
