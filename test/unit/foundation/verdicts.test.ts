// The validation verdicts are listed once (main/api/contract/verdicts.ts) and the contract
// checks them: a result or an inbox row with an unknown indication is refused at the boundary.
import { describe, expect, it } from 'vitest';
import { FILE_VERDICTS, INDICATIONS, SUB_INDICATIONS, isIndication } from '../../../main/api/index.js';
import { incomingDocSchema } from '../../../main/api/contract/exchange.js';
import { signatureResultSchema } from '../../../main/api/contract/verify.js';
import * as engine from '../../../main/validation/types.js';
import { hasMessage } from '../../../resources/locales/index.js';

describe('validation verdicts', () => {
  it('the engine uses the contract\'s lists, and each verdict has words in both languages', () => {
    expect(engine.SUB_INDICATIONS).toBe(SUB_INDICATIONS);
    expect(engine.INDICATIONS).toBe(INDICATIONS);
    for (const lang of ['vi', 'en'] as const) {
      for (const i of INDICATIONS) expect(hasMessage(lang, `verify.indication.${i}`), i).toBe(true);
      for (const s of SUB_INDICATIONS) expect(hasMessage(lang, `verify.sub.${s}`), s).toBe(true);
    }
  });

  it('the contract accepts the listed values only', () => {
    const { indication, subIndication } = signatureResultSchema.shape;
    expect(indication.safeParse('TOTAL_PASSED').success).toBe(true);
    expect(indication.safeParse('PASSED').success).toBe(false);
    expect(subIndication.safeParse(null).success).toBe(true);
    expect(subIndication.safeParse('SIG_CONSTRAINTS_FAILURE').success).toBe(true);
    expect(subIndication.safeParse('MADE_UP_FAILURE').success).toBe(false);
    const status = incomingDocSchema.shape.validationStatus;
    for (const v of FILE_VERDICTS) expect(status.safeParse(v).success, v).toBe(true);
    expect(status.safeParse('VALID').success).toBe(false);
  });

  it('tells indications from the other file verdicts', () => {
    expect(FILE_VERDICTS.filter(isIndication)).toEqual([...INDICATIONS]);
    expect(isIndication('NO_SIGNATURE')).toBe(false);
  });
});
