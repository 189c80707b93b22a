/** The `--json` / JSON report shape of issue 5 item 5 (stable keys first, extras after). */
import type { FileResult } from '../types.js';

/** JSON form of one file's results. */
export function fileJson(f: FileResult): Record<string, unknown> {
  return {
    file: f.file,
    ...(f.error ? { error: f.error } : {}),
    signatures: f.signatures.map((s) => ({
      field: s.field,
      signer: s.signer,
      indication: s.indication,
      subIndication: s.subIndication,
      signingTime: s.signingTime,
      timeSource: s.timeSource,
      level: s.level,
      coversWholeDocument: s.coversWholeDocument,
      modifications: s.modifications,
      checks: s.checks.map((c) => ({ name: c.name, result: c.result, detail: c.detail, code: c.code })),
      kind: s.kind,
      issuingCa: s.issuingCa,
      signerCert: s.signerCert,
      claimedTime: s.claimedTime,
      revocation: s.revocation,
      byteRange: s.byteRange,
      revision: s.revision,
      docMdp: s.docMdp,
    })),
  };
}

/** The whole JSON document for several files. */
export function resultsJson(files: FileResult[], generatedAt = new Date()): { generatedAt: string; files: Array<Record<string, unknown>> } {
  return { generatedAt: generatedAt.toISOString(), files: files.map(fileJson) };
}

/** Exit status: 3 unreadable file, 1 any TOTAL_FAILED, 2 any INDETERMINATE or unsigned file, else 0. */
export function exitStatus(files: FileResult[]): number {
  if (files.some((f) => f.error)) return 3;
  const all = files.flatMap((f) => f.signatures);
  if (all.some((s) => s.indication === 'TOTAL_FAILED')) return 1;
  if (files.some((f) => f.signatures.length === 0) || all.some((s) => s.indication !== 'TOTAL_PASSED')) return 2;
  return 0;
}
