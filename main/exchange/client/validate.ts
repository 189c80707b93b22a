/**
 * Adapter to the VALIDATION engineer's `validatePdf` (main/validation/index.ts): each arriving
 * PDF is validated and the summary indication plus the full report are stored with it.
 */
import type { FileVerdict } from '../../api/contract/verdicts.js';
import type { FileResult, Indication } from '../../validation/types.js';

/** Summary stored per file: an ETSI indication, or NO_SIGNATURE / UNREADABLE (the contract's list). */
export type { FileVerdict } from '../../api/contract/verdicts.js';

/** Validates one file; never throws for a bad PDF (the verdict says so). */
export type PdfValidator = (file: string) => Promise<{ status: FileVerdict; report: unknown }>;

const order: FileVerdict[] = ['TOTAL_PASSED', 'INDETERMINATE', 'TOTAL_FAILED'];

/** The verdict of a file from its report: the worst indication over its signatures. */
export function verdictOf(r: FileResult): FileVerdict {
  if (r.error) return 'UNREADABLE';
  if (!r.signatures.length) return 'NO_SIGNATURE';
  return r.signatures.map((s) => s.indication).reduce((w, s) => (order.indexOf(s) > order.indexOf(w) ? s : w), 'TOTAL_PASSED' as Indication);
}

type ValidationModule = {
  validatePdf: (file: string, opts: { trust?: Buffer[]; offline?: boolean }) => Promise<FileResult>;
  anchorsFor: (home: string | undefined, extra?: Buffer[]) => Buffer[];
};

/**
 * The validator backed by main/validation. Anchors: the admin trust store of `home` (KYSO_HOME)
 * plus `extra` (`--trust ROOT.pem`); without `home`, `extra` alone.
 */
export function defaultValidator(extra: Buffer[] = [], offline = false, home?: string): PdfValidator {
  return async (file) => {
    // Loaded lazily: validation pulls in the PKI stack, which the CLI's other commands do not need.
    const mod: ValidationModule = await import('../../validation/index.js');
    try {
      const report = await mod.validatePdf(file, { trust: mod.anchorsFor(home, extra), offline });
      return { status: verdictOf(report), report };
    } catch (e) {
      return { status: 'UNREADABLE', report: { error: e instanceof Error ? e.message : String(e) } };
    }
  };
}
