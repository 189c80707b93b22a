/**
 * Checks on arrival. The package's XML signature: an unsigned package (the axis delivers
 * them) is accepted and registered as unsigned, a package whose signature does not verify
 * is refused. Each arriving PDF is validated by the VALIDATION engineer's `validatePdf`
 * (main/validation/index.ts) and the summary indication plus the full report are stored with it.
 */
import type { FileVerdict } from '../../api/contract/verdicts.js';
import { certView } from '../../pki/cert.js';
import type { NewIncoming } from '../../store/index.js';
import type { FileResult, Indication } from '../../validation/types.js';
import type { ParsedPackage, SignaturePolicy } from '../edxml/index.js';

/** Signature policy of the inbox: unsigned packages come in (marked so), invalid ones are refused. */
export const ARRIVAL_SIGNATURE_POLICY: SignaturePolicy = 'allow-unsigned';

/** What the register keeps of a package besides its metadata: signature, reader notes, business block, traces. */
export function arrivalRecord(pkg: ParsedPackage): Required<Pick<NewIncoming, 'signatureState' | 'signatureAlgorithm' | 'signer' | 'packageNotes' | 'promulgationDate' | 'bussinessDocType' | 'bussinessReason' | 'traces'>> {
  let signer: string | null = null;
  if (pkg.signerCertificate) {
    try {
      signer = certView(pkg.signerCertificate).commonName;
    } catch {
      signer = null;
    }
  }
  const sig = pkg.signature;
  return {
    signatureState: sig.state,
    // Only a signature that verified has an algorithm worth showing.
    signatureAlgorithm: sig.state === 'valid' || sig.state === 'valid-weak-algorithm' ? sig.algorithm ?? null : null,
    signer,
    packageNotes: pkg.notes,
    promulgationDate: pkg.header.promulgationInfo.promulgationDate,
    bussinessDocType: pkg.bussiness.bussinessDocType,
    bussinessReason: pkg.bussiness.bussinessDocReason ?? null,
    traces: pkg.traces,
  };
}

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
