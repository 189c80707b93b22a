/**
 * The verdicts of signature validation as data: ETSI EN 319 102-1 indications and the
 * sub-indications Kyso reports, and the summary stored per received file. The one list of
 * each, shared by the validation engine (types), the contract (z.enum) and the renderer.
 */
import { z } from 'zod';

/** Main status of a signature or document timestamp. */
export const INDICATIONS = ['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE'] as const;

/** ETSI sub-indications used by Kyso. */
export const SUB_INDICATIONS = [
  'FORMAT_FAILURE',
  'HASH_FAILURE',
  'SIG_CRYPTO_FAILURE',
  'REVOKED',
  'REVOKED_NO_POE',
  'EXPIRED',
  'NOT_YET_VALID',
  'NO_SIGNING_CERTIFICATE_FOUND',
  'NO_CERTIFICATE_CHAIN_FOUND',
  'OUT_OF_BOUNDS_NO_POE',
  'TRY_LATER',
  'SIG_CONSTRAINTS_FAILURE',
] as const;

/** Summary of a received file: the worst indication of its signatures, or why there is none. */
export const FILE_VERDICTS = [...INDICATIONS, 'NO_SIGNATURE', 'UNREADABLE'] as const;

export const indicationSchema = z.enum(INDICATIONS);
export const subIndicationSchema = z.enum(SUB_INDICATIONS);
export const fileVerdictSchema = z.enum(FILE_VERDICTS);

/** One ETSI indication. */
export type Indication = (typeof INDICATIONS)[number];
/** One ETSI sub-indication. */
export type SubIndication = (typeof SUB_INDICATIONS)[number];
/** The summary stored per received file (and, the worst of them, per document). */
export type FileVerdict = (typeof FILE_VERDICTS)[number];

/** True for a value that is one of the ETSI indications (data read back from a store or a peer). */
export function isIndication(v: unknown): v is Indication {
  return (INDICATIONS as readonly unknown[]).includes(v);
}
