/** Session secret: fresh per run, compared without shortcuts on length or prefix. */
import { describe, expect, it } from 'vitest';
import { newSecret, secretMatches } from '../../../main/host/secret.js';
import { openerCommand } from '../../../main/host/open-browser.js';

describe('session secret', () => {
  it('is random, URL-safe and 256 bits', () => {
    const a = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(a);
  });

  it('matches only the exact secret', () => {
    const s = newSecret();
    expect(secretMatches(s, s)).toBe(true);
    expect(secretMatches(s, s.slice(0, -1))).toBe(false);
    expect(secretMatches(s, s + 'x')).toBe(false);
    expect(secretMatches(s, '')).toBe(false);
    expect(secretMatches(s, null)).toBe(false);
  });
});

describe('system browser opener', () => {
  it('uses the native opener of each OS', () => {
    expect(openerCommand('linux', 'http://x')).toEqual(['xdg-open', ['http://x']]);
    expect(openerCommand('darwin', 'http://x')).toEqual(['open', ['http://x']]);
    expect(openerCommand('win32', 'http://x')[1]).toContain('start');
  });
});
