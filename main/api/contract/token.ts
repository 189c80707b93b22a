/**
 * Contract of the token domain: PKCS#11 modules, tokens, certificates, login/logout and the
 * hot-plug event. These zod schemas are also the public types of native/ (see native/types.ts).
 */
import { z } from 'zod';
import { eventsOf, operations } from './define.js';
import { errorParamsSchema } from './error-params.js';

/** Token state flags (from CK_TOKEN_INFO.flags), named for people rather than bits. */
export const tokenFlagsSchema = z.object({
  tokenInitialized: z.boolean(),
  loginRequired: z.boolean(),
  /** PIN pad / protected authentication path: the PIN is entered on the device. */
  protectedAuthPath: z.boolean(),
  userPinInitialized: z.boolean(),
  userPinCountLow: z.boolean(),
  userPinFinalTry: z.boolean(),
  userPinLocked: z.boolean(),
  userPinToBeChanged: z.boolean(),
  soPinCountLow: z.boolean(),
  soPinFinalTry: z.boolean(),
  soPinLocked: z.boolean(),
  soPinToBeChanged: z.boolean(),
  writeProtected: z.boolean(),
});

/** A certificate found on a token, with the details people check before signing. */
export const certificateInfoSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  /** Serial number in hex. */
  serial: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  keyUsage: z.array(z.string()),
  extendedKeyUsage: z.array(z.string()),
  /** CKA_ID in hex: binds the certificate to its key pair. */
  keyId: z.string(),
  label: z.string(),
  hasPrivateKey: z.boolean(),
  keyType: z.enum(['RSA', 'EC', 'other']),
  /** SHA-256 of the DER certificate, hex: a stable selector. */
  fingerprint: z.string(),
  /** True when notAfter is within 30 days (or already past). */
  expiresSoon: z.boolean(),
});

/** One token in one slot of one module. */
export const tokenInfoSchema = z.object({
  slotId: z.string(),
  slotDescription: z.string(),
  label: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  serial: z.string(),
  flags: tokenFlagsSchema,
  minPinLen: z.number(),
  maxPinLen: z.number(),
  loggedIn: z.boolean(),
  certificates: z.array(certificateInfoSchema),
});

/** A PKCS#11 module (driver) and what it found; `error` when it could not be used. */
export const moduleReportSchema = z.object({
  path: z.string(),
  ok: z.boolean(),
  manufacturer: z.string().optional(),
  description: z.string().optional(),
  libraryVersion: z.string().optional(),
  /** Whose driver it is (the catalogue's vendor name, else the library's manufacturer). */
  vendor: z.string().optional(),
  /** Why the module could not be used: `error.<code>` with `params`; `message` in English. */
  error: z.object({ code: z.string(), message: z.string(), params: errorParamsSchema.optional() }).optional(),
  tokens: z.array(tokenInfoSchema),
});

/** Identifies a token: its module path and its label (or serial). */
export const tokenRefSchema = z.object({
  module: z.string().min(1),
  label: z.string().optional(),
  serial: z.string().optional(),
});

/** Settings key: minutes a token stays logged in after a signing job, for that certificate (0 or unset: log out after each job). */
export const KEEP_SESSION_SETTING = 'token.keepSessionMinutes';

/** The longest a session may be kept (minutes). */
export const MAX_KEEP_MINUTES = 60;

/** A session kept after a signing job: the token, the one certificate it signs for, until when. */
export const keptSessionSchema = z.object({
  module: z.string(),
  label: z.string(),
  /** SHA-256 of the certificate, hex. */
  fingerprint: z.string(),
  /** The certificate holder's common name. */
  subject: z.string(),
  /** ISO time of the automatic logout. */
  expiresAt: z.string(),
});

/** Operations of the token domain. */
export const tokenOperations = operations({
  'token:list': {
    input: z.object({ modules: z.array(z.string()).optional() }).strict(),
    output: z.object({ modules: z.array(moduleReportSchema) }),
  },
  'token:login': {
    // pin null: the token has a PIN pad (protected authentication path).
    input: z.object({ token: tokenRefSchema, pin: z.string().max(256).nullable() }).strict(),
    output: z.object({ loggedIn: z.boolean() }),
  },
  'token:logout': {
    input: z.object({ token: tokenRefSchema }).strict(),
    output: z.object({ loggedIn: z.boolean() }),
  },
  /**
   * Who may sign without a PIN now. `kept`: the session kept after a job (setting
   * `token.keepSessionMinutes`), for one certificate; by default a token is logged out after
   * each signing job and `kept` is null. `ready`: logins made with token:login that no job has
   * used yet (the next job on that token uses it; unused, it lapses at `until`).
   */
  'token:session': {
    input: z.object({}).strict(),
    output: z.object({
      kept: keptSessionSchema.nullable(),
      ready: z.array(z.object({ module: z.string(), label: z.string(), until: z.string() })),
      keepMinutes: z.number(),
    }),
  },
  /** "Log out now": ends the kept session at once. */
  'token:endSession': {
    input: z.object({}).strict(),
    output: z.object({ kept: z.null() }),
  },
});

/** A token was inserted or removed (hot-plug), as seen by polling the slot lists. */
export const tokenChangedSchema = z.object({
  kind: z.enum(['inserted', 'removed']),
  module: z.string(),
  slotId: z.string(),
  label: z.string(),
  serial: z.string(),
});

/** Events of the token domain. */
export const tokenEvents = eventsOf({
  'token:changed': tokenChangedSchema,
  /** The kept signing session started or ended (null: none). */
  'token:session': z.object({ kept: keptSessionSchema.nullable() }),
});
