// Error codes are typed by the catalogue, and the kinds callers act on are explicit lists.
import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, errorKind, isErrorOfKind } from '../../../main/api/error-kinds.js';
import { KysoError, type ErrorCode } from '../../../main/api/errors.js';
import { bundles, hasMessage } from '../../../resources/locales/index.js';

const codes = Object.values(bundles).flatMap((b) => Object.keys(b.en)).filter((k) => k.startsWith('error.')).map((k) => k.slice(6));

describe('error codes and kinds', () => {
  it('a code is a key of the catalogue: a typo does not compile', () => {
    // @ts-expect-error not an error.<code> of resources/locales
    const typo: ErrorCode = 'tsaUnreachabel';
    expect(hasMessage('en', `error.${typo}`)).toBe(false);
    // @ts-expect-error KysoError takes only catalogue codes
    expect(new KysoError('noSuchCode').code).toBe('noSuchCode');
    expect(new KysoError('tsaUnreachable', { url: 'http://tsa', detail: 'x' }).code).toBe('tsaUnreachable');
  });

  it('each listed code has a message in both languages and belongs to one kind only', () => {
    const seen = new Map<string, string>();
    for (const [kind, list] of Object.entries(ERROR_KINDS)) {
      for (const code of list) {
        expect(hasMessage('vi', `error.${code}`) && hasMessage('en', `error.${code}`), code).toBe(true);
        expect(seen.get(code), `${code} in ${seen.get(code)} and ${kind}`).toBeUndefined();
        seen.set(code, kind);
      }
    }
  });

  it('the families the callers relied on by name are complete (a new code of a family must be classified)', () => {
    // These prefixes are how the codes were matched before the lists; the lists must cover them.
    const unclassified = (prefix: RegExp, kind: string) => codes.filter((c) => prefix.test(c) && errorKind(c) !== kind);
    expect(unclassified(/^net/, 'network')).toEqual([]);
    expect(unclassified(/^edxml/, 'package')).toEqual([]);
    expect(unclassified(/^(tsa|ocsp|crl)(Unreachable|BadResponse|Rejected|NoUrl)$/, 'trustService')).toEqual([]);
    expect(unclassified(/^cli/, 'usage')).toEqual([]);
  });

  it('classifies errors, and anything else as other', () => {
    expect(isErrorOfKind(new KysoError('ocspNoUrl'), 'trustService')).toBe(true);
    // An answer to another request is suspicious, not a service that is down: no fallback.
    expect(isErrorOfKind(new KysoError('tsaNonceMismatch'), 'trustService')).toBe(false);
    expect(isErrorOfKind(new KysoError('exPackageDigestMismatch', { messageId: 'm' }), 'package')).toBe(true);
    expect(isErrorOfKind(new KysoError('diskFull', { path: '/x' }), 'package')).toBe(false);
    expect(isErrorOfKind(new Error('netTimeout'), 'network')).toBe(false);
    expect(errorKind('somethingFromANewerServer')).toBe('other');
  });
});
