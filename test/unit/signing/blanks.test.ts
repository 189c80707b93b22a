/** How the issuing signature writes a letter's number and date (Decree 30 conventions). */
import { describe, expect, it } from 'vitest';
import { dayText, monthText, numberPart, parseLetterDate } from '../../../main/signing/blanks.js';
import { readableVietnam } from '../../../main/signing/time.js';

describe('letter number and date', () => {
  it('writes days below 10 and January/February with a leading zero, other months without', () => {
    expect([dayText(5), dayText(15)]).toEqual(['05', '15']);
    expect([monthText(1), monthText(2), monthText(3), monthText(12)]).toEqual(['01', '02', '3', '12']);
  });
  it('reads dd/mm/yyyy and yyyy-mm-dd, and refuses days that do not exist', () => {
    expect(parseLetterDate('05/12/2026')).toEqual({ day: 5, month: 12, year: 2026 });
    expect(parseLetterDate('2026-12-05')).toEqual({ day: 5, month: 12, year: 2026 });
    expect(parseLetterDate('5.3.2026')).toEqual({ day: 5, month: 3, year: 2026 });
    expect(parseLetterDate('31/02/2026')).toBeNull();
    expect(parseLetterDate('12/2026')).toBeNull();
  });
  it('keeps the number part of a number and notation', () => {
    expect(numberPart('125/UBND-VP')).toBe('125');
    expect(numberPart(' 07 ')).toBe('07');
  });
  it('shows times people read in Vietnam time, minutes only', () => {
    expect(readableVietnam(new Date('2026-12-05T02:15:59Z'))).toBe('05/12/2026 09:15');
    expect(readableVietnam(new Date('2026-12-31T17:30:00Z'))).toBe('01/01/2027 00:30');
  });
});
