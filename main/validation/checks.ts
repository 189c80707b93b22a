/** Collects checks and derives the ETSI indication from the worst of them. */
import { t } from '../../resources/locales/index.js';
import type { Check, CheckName, CheckOutcome, Indication, SubIndication } from './types.js';

/** A check plus the indication it forces when it is the worst one. */
interface Recorded {
  check: Check;
  verdict?: { indication: Exclude<Indication, 'TOTAL_PASSED'>; sub: SubIndication };
}

/** Ordered check list for one signature. */
export class CheckList {
  private readonly items: Recorded[] = [];

  /**
   * Records a check; `verdict` is the indication it implies when it fails or is indeterminate.
   * Its text is `verify.reason.<code>` of the locale bundles (English in `detail`; reports
   * translate the code).
   */
  add(name: CheckName, result: CheckOutcome, code: string, params: Record<string, string | number> = {}, verdict?: Recorded['verdict']): void {
    this.items.push({ check: { name, result, code, params, detail: t('en', `verify.reason.${code}`, params) }, verdict });
  }

  /** True when a check with this name has already failed. */
  failed(name: CheckName): boolean {
    return this.items.some((i) => i.check.name === name && i.check.result === 'fail');
  }

  /** The checks in order. */
  list(): Check[] {
    return this.items.map((i) => i.check);
  }

  /** TOTAL_FAILED beats INDETERMINATE beats TOTAL_PASSED; first recorded wins within a class. */
  indication(): { indication: Indication; subIndication: SubIndication | null } {
    const failed = this.items.find((i) => i.verdict?.indication === 'TOTAL_FAILED');
    if (failed?.verdict) return { indication: 'TOTAL_FAILED', subIndication: failed.verdict.sub };
    const ind = this.items.find((i) => i.verdict?.indication === 'INDETERMINATE');
    if (ind?.verdict) return { indication: 'INDETERMINATE', subIndication: ind.verdict.sub };
    return { indication: 'TOTAL_PASSED', subIndication: null };
  }
}

/** Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (lenient about the tail). */
export function parsePdfDate(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', se = '00', sign, oh = '00', om = '00'] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (sign === '+' || sign === '-') {
    const off = (Number(oh) * 60 + Number(om)) * 60_000;
    t += sign === '+' ? -off : off;
  }
  return Number.isNaN(t) ? undefined : new Date(t);
}
