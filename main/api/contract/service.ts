/**
 * Contract of the local signing service (issue 11) between the core and the app's screens:
 * its state and switch, the sites it remembers, and the questions it puts to the user (a new
 * site; a signing request with its documents) with the user's answers. The PIN of an answer
 * goes to the token once and is never echoed back.
 */
import { z } from 'zod';
import { eventsOf, operations } from './define.js';
import { appearanceSchema, signRoleSchema } from './sign.js';

const rect = z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]);

/** A port of the service: the one in use, or why it is not. */
export const servicePortSchema = z.object({
  port: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** The service's state. */
export const serviceStatusSchema = z.object({
  /** The user switched it on (setting service.enabled). */
  enabled: z.boolean(),
  running: z.boolean(),
  vgca: servicePortSchema,
  vnpt: servicePortSchema,
  /** Why it is not running although enabled. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** The local CA file and fingerprint (to trust it: `kyso service install-ca`). */
  ca: z.object({ file: z.string(), fingerprint: z.string(), name: z.string(), notAfter: z.string() }).optional(),
});

/** A remembered site. */
export const serviceOriginSchema = z.object({ origin: z.string(), allowed: z.boolean(), decidedAt: z.string() });

/** A certificate offered for signing. */
export const serviceCertSchema = z.object({
  module: z.string(), token: z.string(), fingerprint: z.string(), serial: z.string(), subject: z.string(), commonName: z.string(),
  organization: z.string(), issuer: z.string(), notBefore: z.string(), notAfter: z.string(), valid: z.boolean(), pinPad: z.boolean(),
});

/** A document of a signing request, as fetched (the preview reads `path`). */
export const serviceDocSchema = z.object({ name: z.string(), url: z.string(), size: z.number(), pages: z.number(), sha256: z.string(), path: z.string() });

/** Where a document's stamp goes unless the user places it. */
export const servicePlacementSchema = z.object({
  source: z.enum(['request', 'saved', 'anchor', 'decree', 'default', 'ask', 'invisible']),
  page: z.number().int().optional(),
  rect: rect.optional(),
  anchor: z.string().optional(),
});

/** A question to the user. */
export const servicePromptSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('origin'),
    id: z.string(),
    origin: z.string(),
    operation: z.string(),
    /** Message key of what the site wants. */
    whatKey: z.string(),
  }),
  z.object({
    kind: z.literal('sign'),
    id: z.string(),
    origin: z.string(),
    operation: z.string(),
    role: signRoleSchema,
    documents: z.array(serviceDocSchema),
    placements: z.array(servicePlacementSchema),
    /** Stamp fields from the request: message key of the label -> value. */
    details: z.record(z.string(), z.string()),
    certificates: z.array(serviceCertSchema),
    preferred: z.string(),
    /**
     * What the stamp will show with each certificate (by fingerprint): the appearance the
     * service signs with (the request's fields, the user's images, the certificate's
     * organization and name), for the dialog's preview through `sign:layout`.
     */
    appearances: z.record(z.string(), appearanceSchema),
  }),
]);

/** Operations of the service domain. */
export const serviceOperations = operations({
  'service:status': { input: z.object({}).strict(), output: serviceStatusSchema },
  /** Switches the service on or off (remembered: it starts with the app). */
  'service:setEnabled': { input: z.object({ enabled: z.boolean() }).strict(), output: serviceStatusSchema },
  /**
   * Trusts the service's local CA for the current account (NSS databases of Chromium and
   * Firefox, the Windows user store, the macOS login keychain: the OS may ask the user).
   */
  'service:trustCa': {
    input: z.object({}).strict(),
    output: z.object({ results: z.array(z.object({ kind: z.enum(['nss', 'windows', 'macos']), location: z.string(), ok: z.boolean(), detail: z.string().optional() })) }),
  },
  'service:origins': { input: z.object({}).strict(), output: z.object({ origins: z.array(serviceOriginSchema) }) },
  /** Allows or refuses a site; null forgets it (it is asked again next time). */
  'service:setOrigin': {
    input: z.object({ origin: z.string().min(1).max(500), allowed: z.boolean().nullable() }).strict(),
    output: z.object({ origins: z.array(serviceOriginSchema) }),
  },
  /** The questions waiting for an answer (a screen that opens late shows them). */
  'service:pending': { input: z.object({}).strict(), output: z.object({ prompts: z.array(servicePromptSchema) }) },
  /**
   * Answers a question. Refusing needs only `approve: false`. Approving a signing request
   * logs in with `pin` (null: PIN pad): a wrong PIN fails this call and the question stays.
   */
  'service:answer': {
    input: z.object({
      id: z.string().min(1).max(100),
      approve: z.boolean(),
      pin: z.string().max(256).nullable().optional(),
      cert: z.string().max(200).optional(),
      placement: z.object({ page: z.number().int().min(1).max(100_000), rect }).strict().optional(),
      savePlacement: z.boolean().optional(),
    }).strict(),
    output: z.object({ done: z.boolean() }),
  },
});

/** Events of the service domain. */
export const serviceEvents = eventsOf({
  'service:prompt': servicePromptSchema,
  'service:promptClosed': z.object({ id: z.string(), outcome: z.enum(['approved', 'refused', 'cancelled']) }),
  'service:status': serviceStatusSchema,
});
