// The message catalogue: keys unique across domain bundles, every key in both languages,
// placeholders consistent, language resolution as documented.
import { describe, expect, it } from 'vitest';
import { bundles, resolveLang, t } from '../../../resources/locales/index.js';

describe('locales', () => {
  it('has no key defined by two domain bundles', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const [domain, b] of Object.entries(bundles)) {
      for (const key of Object.keys(b.vi)) {
        if (owner.has(key)) clashes.push(`${key} in ${owner.get(key)} and ${domain}`);
        owner.set(key, domain);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('defines every key in Vietnamese and English with the same placeholders', () => {
    const problems: string[] = [];
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
    for (const [domain, b] of Object.entries(bundles)) {
      for (const key of new Set([...Object.keys(b.vi), ...Object.keys(b.en)])) {
        const vi = b.vi[key];
        const en = b.en[key];
        if (vi === undefined || en === undefined) problems.push(`${domain}:${key} missing in ${vi === undefined ? 'vi' : 'en'}`);
        else if (placeholders(vi) !== placeholders(en)) problems.push(`${domain}:${key} placeholders differ`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('fills placeholders and falls back to the key', () => {
    expect(t('vi', 'error.fileNotFound', { path: '/a.pdf' })).toBe('Không tìm thấy tệp: /a.pdf');
    expect(t('en', 'error.fileNotFound', { path: '/a.pdf' })).toBe('File not found: /a.pdf');
    expect(t('en', 'no.such.key')).toBe('no.such.key');
  });

  it('resolves the language from flag, KYSO_LANG, locale, default vi', () => {
    expect(resolveLang('en', { KYSO_LANG: 'vi' })).toBe('en');
    expect(resolveLang(undefined, { KYSO_LANG: 'en' })).toBe('en');
    expect(resolveLang(undefined, { LANG: 'en_US.UTF-8' })).toBe('en');
    expect(resolveLang(undefined, { LANG: 'vi_VN.UTF-8' })).toBe('vi');
    expect(resolveLang(undefined, {})).toBe('vi');
  });
});
