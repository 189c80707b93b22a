/**
 * Contract of the verify domain: validate PDFs (ETSI indications, checks, modifications),
 * export the human-readable report, and manage the admin trust store.
 */
import { z } from 'zod';
import { eventsOf, operations } from './define.js';
import { errorParamsSchema } from './error-params.js';
import { indicationSchema, subIndicationSchema } from './verdicts.js';

const filePath = z.string().min(1).max(4096);
const iso = z.string().nullable();

/** One check of a signature. */
export const checkSchema = z.object({
  name: z.string(),
  result: z.enum(['pass', 'fail', 'warn']),
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  detail: z.string(),
});

/** One change made after a signature. */
export const modificationSchema = z.object({
  revision: z.number(),
  object: z.number().optional(),
  class: z.enum(['dss', 'documentTimestamp', 'signature', 'signatureField', 'formFill', 'annotation', 'auxiliary', 'notAllowed']),
  allowed: z.boolean(),
  code: z.string(),
  detail: z.string(),
});

/** Validation result of one signature or document timestamp. */
export const signatureResultSchema = z.object({
  field: z.string(),
  kind: z.enum(['signature', 'documentTimestamp']),
  subFilter: z.string(),
  signer: z.string().nullable(),
  signerCert: z.object({ subject: z.string(), commonName: z.string(), issuer: z.string(), serial: z.string(), notBefore: z.string(), notAfter: z.string() }).nullable(),
  issuingCa: z.string().nullable(),
  indication: indicationSchema,
  subIndication: subIndicationSchema.nullable(),
  signingTime: iso,
  timeSource: z.enum(['timestamp', 'claimed', 'none']),
  claimedTime: iso,
  level: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']).nullable(),
  coversWholeDocument: z.boolean(),
  byteRange: z.array(z.number()).nullable(),
  revision: z.number().nullable(),
  revocation: z.object({ status: z.enum(['good', 'revoked', 'unknown', 'notChecked']), source: z.string(), time: iso, revokedAt: iso }),
  docMdp: z.number().nullable(),
  modifications: z.array(modificationSchema),
  checks: z.array(checkSchema),
});

/** Validation result of one file. */
export const fileResultSchema = z.object({
  file: z.string(),
  /** Why the file is not a readable PDF: `error.<code>` with `params`; `detail` in English. */
  error: z.object({ code: z.string(), detail: z.string(), params: errorParamsSchema.optional() }).nullable(),
  revisions: z.number(),
  signatures: z.array(signatureResultSchema),
  /** Facts about the whole file (repaired structure, encryption): `verify.note.<code>`. */
  notes: z.array(z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), detail: z.string() })).optional(),
});

/** Options shared by validation calls. */
const validateOptions = {
  offline: z.boolean().optional(),
  /** Validate as of this ISO 8601 moment (archived documents). */
  time: z.iso.datetime({ offset: true }).optional(),
  /** Extra trust anchor files (PEM/DER/P7B) on top of the admin store. */
  trust: z.array(filePath).max(50).optional(),
  /** Password of encrypted PDFs (the empty user password is tried first); never logged. */
  password: z.string().max(1024).optional(),
};

/** A trust store entry. */
export const trustEntrySchema = z.object({ fingerprint: z.string(), subject: z.string(), notBefore: z.string(), notAfter: z.string(), isCa: z.boolean() });

/** Operations of the verify domain. */
export const verifyOperations = operations({
  'verify:file': {
    input: z.object({ path: filePath, ...validateOptions }).strict(),
    output: fileResultSchema,
  },
  'verify:exportReport': {
    input: z.object({ paths: z.array(filePath).min(1).max(1000), output: filePath, format: z.enum(['pdf', 'json']), lang: z.enum(['vi', 'en']).optional(), ...validateOptions }).strict(),
    output: z.object({ output: z.string(), bytes: z.number() }),
  },
  'trust:list': {
    input: z.object({}).strict(),
    output: z.object({ anchors: z.array(trustEntrySchema) }),
  },
  'trust:add': {
    input: z.object({ path: filePath }).strict(),
    output: z.object({ added: z.array(trustEntrySchema) }),
  },
  'trust:remove': {
    input: z.object({ fingerprint: z.string().min(8).max(100) }).strict(),
    output: z.object({ removed: z.array(trustEntrySchema) }),
  },
});

/** Events of the verify domain. */
export const verifyEvents = eventsOf({});
