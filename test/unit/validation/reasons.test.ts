/**
 * Every reason code the validator records (checks, byte-range refusals, modifications) has its
 * text in both locale bundles: the English `detail` and the reports are both built from them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasMessage } from '../../../resources/locales/index.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..', 'main', 'validation');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('validation reason texts', () => {
  it('has verify.reason.<code> in Vietnamese and English for every code used', () => {
    const codes = new Set<string>();
    for (const f of sources(root)) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\.add\('[a-zA-Z]+', '(?:pass|fail|warn)', '([A-Za-z_]+)'/g)) codes.add(m[1]!);
      // File errors (pdf*, file*) are error.<code> messages, not reasons.
      for (const m of src.matchAll(/\bcode: '([A-Za-z_]+)'/g)) if (!/^(pdf|file)[A-Z]/.test(m[1]!)) codes.add(m[1]!);
      for (const m of src.matchAll(/\b(?:no|yes)\([^,]+,(?: '[a-zA-Z]+',)? '([A-Za-z_]+)'/g)) codes.add(m[1]!);
    }
    // Built codes: (sig)timestamp_<reason> for every token failure.
    for (const r of ['format', 'imprint', 'digest', 'signature', 'noSigner', 'essCert']) codes.add(`timestamp_${r}`).add(`sigTimestamp_${r}`);
    // xrefRepaired_<kind> for every repair the reader reports (main/pdf/reader.ts repairKind).
    for (const k of ['brokenPrev', 'xrefDamaged', 'rebuilt', 'wrongOffset']) codes.add(`xrefRepaired_${k}`);
    expect(codes.size).toBeGreaterThan(60);
    const missing = [...codes].filter((c) => !hasMessage('vi', `verify.reason.${c}`) || !hasMessage('en', `verify.reason.${c}`));
    expect(missing).toEqual([]);
  });
});
