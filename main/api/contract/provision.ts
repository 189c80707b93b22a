/**
 * Contract of the provision domain: token preparation by IT staff (init, PINs, keygen on the
 * token, CSR, certificate import, delete/rename, inventory). Log in with `token:login` before
 * keygen/csr/importCert/delete/rename. PIN fields are never echoed in outputs or errors.
 */
import { z } from 'zod';
import { eventsOf, operations } from './define.js';
import { tokenRefSchema } from './token.js';

const pin = z.string().min(1).max(256);
const keyId = z.string().regex(/^([0-9a-fA-F]{2})+$/);
const what = z.enum(['cert', 'key', 'all']);

/** One inventory row: a certificate on a token, with days left. */
export const inventoryRowSchema = z.object({
  module: z.string(),
  token: z.string(),
  serial: z.string(),
  keyId: z.string(),
  subject: z.string(),
  issuer: z.string(),
  certSerial: z.string(),
  notAfter: z.string(),
  daysLeft: z.number(),
  expiresSoon: z.boolean(),
  hasPrivateKey: z.boolean(),
  /** False for a token seen before but not plugged in now. */
  present: z.boolean(),
  lastSeen: z.string(),
  /** Revocation (online OCSP, then CRL), when asked for and the token is present. */
  revocation: z.object({ status: z.enum(['good', 'revoked', 'unknown']), source: z.string(), revokedAt: z.string().nullable() }).optional(),
});

/** Operations of the provision domain. */
export const provisionOperations = operations({
  'provision:init': {
    input: z.object({ token: tokenRefSchema, label: z.string().min(1).max(32), soPin: pin, userPin: pin.optional() }).strict(),
    output: z.object({ label: z.string() }),
  },
  /** Sets the user PIN with the SO PIN (first PIN after init, or unblocking). */
  'provision:setPin': {
    input: z.object({ token: tokenRefSchema, soPin: pin, newPin: pin }).strict(),
    output: z.object({ done: z.literal(true) }),
  },
  'provision:changePin': {
    input: z.object({ token: tokenRefSchema, oldPin: pin, newPin: pin }).strict(),
    output: z.object({ done: z.literal(true) }),
  },
  'provision:keygen': {
    input: z.object({ token: tokenRefSchema, type: z.enum(['rsa:2048', 'rsa:3072', 'ec:p256', 'ec:p384']), label: z.string().min(1), keyId: keyId.optional() }).strict(),
    output: z.object({ keyId: z.string(), publicKeyPem: z.string() }),
  },
  /** Builds the CSR; without savePath it is only a preview (nothing written). */
  'provision:csr': {
    input: z.object({ token: tokenRefSchema, key: z.object({ label: z.string().optional(), keyId: keyId.optional() }), subject: z.string().min(3), savePath: z.string().optional() }).strict(),
    output: z.object({ keyId: z.string(), subject: z.array(z.tuple([z.string(), z.string()])), pem: z.string(), savedTo: z.string().nullable() }),
  },
  /** Imports a PEM/DER/P7B file (path) or PEM text, bound to the matching key. */
  'provision:importCert': {
    input: z.object({ token: tokenRefSchema, path: z.string().optional(), pem: z.string().optional(), label: z.string().optional() }).strict(),
    output: z.object({ keyId: z.string(), fingerprint: z.string(), subject: z.string(), chain: z.number() }),
  },
  /** Deletes by CKA_ID; `confirm` must repeat the key id (typed confirmation). */
  'provision:delete': {
    input: z.object({ token: tokenRefSchema, keyId, what, confirm: z.string() }).strict(),
    output: z.object({ count: z.number() }),
  },
  'provision:rename': {
    input: z.object({ token: tokenRefSchema, keyId, label: z.string().min(1), what: what.optional() }).strict(),
    output: z.object({ count: z.number() }),
  },
  /** The key pairs of a token (CKA_ID, label, the bound certificate): pick, do not type. */
  'provision:keys': {
    input: z.object({ token: tokenRefSchema }).strict(),
    output: z.object({ keys: z.array(z.object({ keyId: z.string(), label: z.string(), subject: z.string().nullable(), hasPrivateKey: z.boolean() })) }),
  },
  'provision:inventory': {
    /** checkRevocation: also ask OCSP/CRL for each present certificate (slower: network). */
    input: z.object({ checkRevocation: z.boolean().optional() }).strict(),
    output: z.object({ certificates: z.array(inventoryRowSchema) }),
  },
  'provision:exportInventory': {
    input: z.object({ format: z.enum(['csv', 'json']), path: z.string().min(1) }).strict(),
    output: z.object({ path: z.string(), count: z.number() }),
  },
});

/** Events of the provision domain. */
export const provisionEvents = eventsOf({});
