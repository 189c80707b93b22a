/** Result types of PDF signature validation (ETSI EN 319 102-1 vocabulary). */
import type { ErrorParams } from '../api/errors.js';

import type { Indication, SubIndication } from '../api/contract/verdicts.js';

// The indications and sub-indications are listed once, in the contract (z.enum there).
export { INDICATIONS, SUB_INDICATIONS, type Indication, type SubIndication } from '../api/contract/verdicts.js';

/** Outcome of one check. */
export type CheckOutcome = 'pass' | 'fail' | 'warn';

/** Names of the checks, in the order they are run and reported. */
export type CheckName =
  | 'byteRange'
  | 'cmsFormat'
  | 'messageDigest'
  | 'signature'
  | 'signingCertificate'
  | 'timestamp'
  | 'signingTime'
  | 'chain'
  | 'validityAtSigningTime'
  | 'revocation'
  | 'docMdp'
  | 'modifications'
  | 'structure';

/** One reported check: machine code + params for localized text, plus English detail. */
export interface Check {
  name: CheckName;
  result: CheckOutcome;
  /** Message key suffix under `verify.reason.` */
  code: string;
  params: Record<string, string | number>;
  detail: string;
}

/** Class of a change made after a signature. */
export type ModificationClass =
  | 'dss'
  | 'documentTimestamp'
  | 'signature'
  | 'signatureField'
  | 'formFill'
  | 'annotation'
  | 'auxiliary'
  | 'notAllowed';

/** One change found in a revision after the signed one. */
export interface Modification {
  /** 1-based index of the revision that made the change. */
  revision: number;
  object?: number;
  class: ModificationClass;
  allowed: boolean;
  code: string;
  detail: string;
}

/** Facts about a certificate shown in the report. */
export interface CertSummary {
  subject: string;
  commonName: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
}

/** Validation result of one signature or document timestamp. */
export interface SignatureResult {
  field: string;
  kind: 'signature' | 'documentTimestamp';
  subFilter: string;
  signer: string | null;
  signerCert: CertSummary | null;
  issuingCa: string | null;
  indication: Indication;
  subIndication: SubIndication | null;
  signingTime: string | null;
  timeSource: 'timestamp' | 'claimed' | 'none';
  claimedTime: string | null;
  level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | null;
  coversWholeDocument: boolean;
  byteRange: number[] | null;
  /** 1-based revision this signature signed. */
  revision: number | null;
  revocation: { status: 'good' | 'revoked' | 'unknown' | 'notChecked'; source: string; time: string | null; revokedAt: string | null };
  docMdp: number | null;
  modifications: Modification[];
  checks: Check[];
}

/** Validation result of one file. */
export interface FileResult {
  file: string;
  /**
   * Set when the file cannot be read as a PDF: the error code (pdfNotPdf, pdfTruncated,
   * fileNotFound...) with its message parameters, and the message in English as `detail`.
   */
  error: { code: string; detail: string; params?: ErrorParams } | null;
  revisions: number;
  signatures: SignatureResult[];
  /** Facts about the file as a whole (repaired structure, encryption): code, params, English text. */
  notes?: FileNote[];
}

/** A file-level note: `verify.note.<code>` of the locale bundles, English text in `detail`. */
export interface FileNote {
  code: string;
  params: Record<string, string | number>;
  detail: string;
}

/** Options of validatePdf. */
export interface ValidateOptions {
  /** Extra trust anchors (DER or PEM bytes) on top of the store. */
  trust?: Buffer[];
  offline?: boolean;
  /** Validate as of this moment (archived documents). */
  time?: Date;
  /** Password of an encrypted document (the empty user password is tried first). */
  password?: string;
}
