/**
 * What kind of failure an error code is, for the callers that act on it: the CLI's exit
 * status (usage), signing's fallback to a lower level (trustService), the HTTP client's
 * callers (network), inbox sync keeping or dropping a package (package). One explicit list
 * per kind, checked against the catalogue by the compiler; a code in none is `other`.
 */
import { isKysoError, type ErrorCode, type KysoError } from './errors.js';

/** Kinds of failure that callers treat differently. */
export type ErrorKind = 'usage' | 'network' | 'trustService' | 'package' | 'other';

/** The codes of each kind (a code belongs to one kind at most: tested). */
export const ERROR_KINDS = {
  /** The command line was wrong: nothing was done; `kyso` exits with status 2. */
  usage: [
    'unknownCommand', 'cliUnknownOption', 'cliMissingValue', 'cliOptionTakesNoValue', 'cliValueLooksLikeOption',
    'cliUnexpectedArgument', 'cliBadArguments', 'cliInvalidValue', 'cliConflict', 'cliMissingInput', 'cliMissingOutput',
    'cliOutNeedsOneFile', 'verifyNoFiles', 'appBadPort', 'verifyBadTime', 'cliNoEdxmlFile', 'cliPasswordEnvMissing', 'cliPasswordFileUnreadable',
  ],
  /** The bounded HTTP client (main/net/fetch.ts) could not complete an exchange. */
  network: ['netUnreachable', 'netTimeout', 'netTooLarge', 'netHttpStatus', 'netBadRedirect', 'netRedirectLimit', 'netBadUrl', 'netBadContentType'],
  /**
   * A TSA, OCSP responder or CRL gave no usable answer (unreachable, refused, garbled, not
   * named in the certificate): trying later, or signing at a lower level, may succeed. Not
   * tsaNonceMismatch: an answer to another request is suspicious, not unavailable.
   */
  trustService: ['tsaUnreachable', 'tsaBadResponse', 'tsaRejected', 'ocspUnreachable', 'ocspBadResponse', 'ocspNoUrl', 'crlUnreachable', 'crlBadResponse'],
  /** An incoming edXML package is itself bad (not our disk or the network): it is refused, never retried. */
  package: ['edxmlAttachmentMismatch', 'edxmlBadBase64', 'edxmlDigestMismatch', 'edxmlInvalid', 'edxmlMalformed', 'edxmlSignatureInvalid', 'edxmlTooLarge', 'exPackageDigestMismatch', 'edxmlUnsigned', 'exPackageTooLarge'],
} as const satisfies Record<Exclude<ErrorKind, 'other'>, readonly ErrorCode[]>;

const kindOf = new Map<string, ErrorKind>();
for (const [kind, codes] of Object.entries(ERROR_KINDS) as Array<[ErrorKind, readonly ErrorCode[]]>) for (const c of codes) kindOf.set(c, kind);

/** The kind of an error code (`other` when it is in no list). */
export function errorKind(code: string): ErrorKind {
  return kindOf.get(code) ?? 'other';
}

/** True for a KysoError whose code is of the given kind. */
export function isErrorOfKind(e: unknown, kind: ErrorKind): e is KysoError {
  return isKysoError(e) && errorKind(e.code) === kind;
}
