/**
 * What the steps of one signature's validation share: the file environment, the signature
 * as found, its check list and its result under construction.
 */
import type { CertView } from '../../pki/cert.js';
import type { CheckList } from '../checks.js';
import type { DssData } from '../dss.js';
import type { FoundSignature } from '../fields.js';
import type { PdfView } from '../doc.js';
import type { CertSummary, SignatureResult } from '../types.js';
import type { TimestampCheck } from '../timestamp.js';
import type { ShadowDefinition } from '../modifications/shadow-defs.js';
import type { RevisionCache } from '../modifications/revision-cache.js';
import type { RangeDigests } from '../byte-range.js';

/** Everything shared by the signatures of one file. */
export interface FileEnv {
  /** Path of the file (later revisions are opened from it as prefix views). */
  path: string;
  final: PdfView;
  /** Offsets just after each %%EOF of the file. */
  eofs: number[];
  dss: DssData;
  anchors: Buffer[];
  offline: boolean;
  now: Date;
  /** DocMDP level in force (2 when no certification signature). */
  p: number;
  locked: (name: string) => boolean;
  /** Valid, trusted document timestamps: where their signed range ends and their time. */
  docTimestamps: Array<{ signedEnd: number; time: Date }>;
  /** End of the revision that added the DSS, when there is one. */
  dssEnd?: number;
  /** What the reader had to repair in the file (null: it reads as written). */
  repairKind: string | null;
  /** Later unlisted object definitions a repairing reader would use (repaired files only). */
  shadows: ShadowDefinition[];
  /** Byte range digests computed in one pass for all signatures. */
  digests?: RangeDigests;
  /** Revision views and diffs shared by the file's signatures. */
  revisions?: RevisionCache;
  /** Identifies `locked` for sharing diffs ('' when the signature locks no field). */
  lockKey?: string;
}

/** One signature's validation in progress. */
export interface SignatureRun {
  found: FoundSignature;
  env: FileEnv;
  checks: CheckList;
  result: SignatureResult;
  /** The byte range once accepted, and where the signed revision ends. */
  range: [number, number, number, number];
  signedEnd: number;
  /** /Contents as bytes (CMS or timestamp token). */
  contents: Buffer;
}

/** What the cryptographic step found: the signer, the certificates carried, the timestamp token. */
export interface CryptoOutcome {
  signer?: CertView;
  pool: Buffer[];
  /** The signature timestamp token (signatures) or the token itself (document timestamps). */
  ts?: TimestampCheck;
}

/** The facts about a certificate shown in the report. */
export function certSummary(c: CertView): CertSummary {
  return { subject: c.subject, commonName: c.commonName, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

/** A result with nothing established yet (INDETERMINATE until the checks decide). */
export function emptyResult(found: FoundSignature, p: number, claimed: Date | undefined): SignatureResult {
  return {
    field: found.field,
    kind: found.kind,
    subFilter: found.subFilter,
    signer: null,
    signerCert: null,
    issuingCa: null,
    indication: 'INDETERMINATE',
    subIndication: null,
    signingTime: null,
    timeSource: 'none',
    claimedTime: claimed?.toISOString() ?? null,
    level: null,
    coversWholeDocument: false,
    byteRange: null,
    revision: null,
    revocation: { status: 'notChecked', source: 'none', time: null, revokedAt: null },
    docMdp: p,
    modifications: [],
    checks: [],
  };
}
