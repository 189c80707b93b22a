/** Public types of the token bridge, derived from the IPC contract so both stay in step. */
import type { z } from 'zod';
import type {
  certificateInfoSchema,
  moduleReportSchema,
  tokenChangedSchema,
  tokenFlagsSchema,
  tokenInfoSchema,
  tokenRefSchema,
} from '../main/api/contract/token.js';

/** Token state flags (PIN count low / final try / locked, PIN pad, ...). */
export type TokenFlags = z.output<typeof tokenFlagsSchema>;
/** A certificate on a token with its parsed details and key binding. */
export type CertificateInfo = z.output<typeof certificateInfoSchema>;
/** A token with its certificates. */
export type TokenInfo = z.output<typeof tokenInfoSchema>;
/** A module (driver) with its tokens, or the reason it could not be used. */
export type ModuleReport = z.output<typeof moduleReportSchema>;
/** Selects a token: module path plus label or serial. */
export type TokenRef = z.output<typeof tokenRefSchema>;
/** A hot-plug event. */
export type TokenChange = z.output<typeof tokenChangedSchema>;

/** Selects a certificate (and its key) on a token; empty = the first one with a private key. */
export interface CertSelector {
  /** CKA_ID in hex. */
  keyId?: string;
  /** SHA-256 of the certificate DER, hex. */
  fingerprint?: string;
}
