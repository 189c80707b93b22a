/** main/pki/der-cache.ts: parse once per distinct content, bounded, errors never cached. */
import { describe, expect, it } from 'vitest';
import { DerCache } from '../../../main/pki/der-cache.js';

describe('DerCache', () => {
  it('returns the value made for equal bytes in another buffer without making it again', () => {
    const cache = new DerCache<object>();
    let made = 0;
    const make = () => ({ n: ++made });
    const a = cache.get(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]), make);
    const b = cache.get(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]), make);
    expect(b).toBe(a);
    expect(cache.get(Buffer.from([0x30, 0x00]), make)).not.toBe(a);
    expect(made).toBe(2);
  });

  it('keeps at most `limit` entries, dropping the oldest', () => {
    const cache = new DerCache<number>(2);
    let made = 0;
    for (const byte of [1, 2, 3]) cache.get(Buffer.from([byte]), () => ++made);
    cache.get(Buffer.from([3]), () => ++made);
    expect(made).toBe(3);
    cache.get(Buffer.from([1]), () => ++made);
    expect(made).toBe(4);
  });

  it('does not cache a failure: the next request tries again', () => {
    const cache = new DerCache<number>();
    expect(() => cache.get(Buffer.from([9]), () => { throw new Error('garbage'); })).toThrow('garbage');
    expect(cache.get(Buffer.from([9]), () => 7)).toBe(7);
  });
});
