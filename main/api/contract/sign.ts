/**
 * Contract of the sign domain: start a batch signing job over files, follow its progress,
 * cancel it, and add levels to existing signatures. The token session (module, label, PIN)
 * is opened through the token domain; a job names the token and certificate to use.
 */
import { z } from 'zod';
import { eventsOf, operations } from './define.js';
import { tokenRefSchema } from './token.js';

const filePath = z.string().min(1).max(4096);

/** PAdES levels. */
export const padesLevelSchema = z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']);
/** Decree 30 roles, the initials signature ("ký nháy") and invisible. */
export const signRoleSchema = z.enum(['approval', 'issuing', 'attachment', 'copy', 'incoming', 'initials', 'invisible']);

/** Where the signature appears. */
export const placementSchema = z.object({
  page: z.number().int().min(1).max(100_000).optional(),
  rect: z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]).optional(),
  anchor: z.string().min(1).max(200).optional(),
  anchorOffset: z.object({ dx: z.number(), dy: z.number(), width: z.number().positive(), height: z.number().positive() }).optional(),
}).strict();

/** What the stamp shows. */
export const appearanceSchema = z.object({
  role: signRoleSchema,
  image: filePath.optional(),
  sealImage: filePath.optional(),
  /** The seal's real diameter (mm) when its PNG does not say (pHYs); default 36. */
  sealSizeMm: z.number().min(10).max(80).optional(),
  organization: z.string().max(300).optional(),
  signerName: z.string().max(300).optional(),
  documentNumber: z.string().max(100).optional(),
  documentDate: z.string().max(100).optional(),
  copyForm: z.enum(['SAO Y', 'SAO LỤC', 'TRÍCH SAO']).optional(),
  arrivalNumber: z.string().max(100).optional(),
  arrivalDate: z.string().max(100).optional(),
}).strict();

const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const rgb = z.tuple([z.number(), z.number(), z.number()]);

/** One thing drawn in a part of the appearance (coordinates relative to the part's box, points). */
export const layoutItemSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('image'), image: z.enum(['signature', 'seal']), box }),
  z.object({
    kind: z.literal('text'), lines: z.array(z.string()), x: z.number(), top: z.number(), width: z.number(), size: z.number(),
    lineHeight: z.number(), align: z.enum(['left', 'center', 'right']), color: rgb, style: z.enum(['regular', 'bold', 'italic']), hscale: z.number(),
  }),
  z.object({ kind: z.literal('frame'), box, color: rgb, lineWidth: z.number() }),
]);

/** The real appearance of a signature before signing (what main/signing draws), for previews. */
export const appearanceLayoutSchema = z.object({
  /** 1-based page and its displayed size (points). */
  page: z.number().int().min(1),
  pageSize: z.tuple([z.number(), z.number()]),
  /** The widget's box on the displayed page (points from the bottom-left corner). */
  box,
  parts: z.array(z.object({ box, items: z.array(layoutItemSchema) })),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
});

/** Result of one file of a job. */
export const signFileResultSchema = z.object({
  input: z.string(),
  output: z.string().optional(),
  status: z.enum(['signed', 'skipped', 'failed', 'cancelled']),
  level: padesLevelSchema.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  warnings: z.array(z.string()).default([]),
  /** Size of the written file in bytes (signed files only). */
  size: z.number().int().min(0).optional(),
});

/** Operations of the sign domain. */
export const signOperations = operations({
  /** Starts a batch job; progress arrives as sign:progress, the end as sign:done. */
  'sign:files': {
    input: z.object({
      files: z.array(filePath).min(1).max(10_000),
      outDir: filePath.optional(),
      /** Allowed only with one input file. */
      output: filePath.optional(),
      overwrite: z.boolean().default(false),
      /**
       * The token, logged in through token:login for this job (one PIN for the whole job). The
       * core logs it out when the job ends, unless `token.keepSessionMinutes` keeps the session
       * for this certificate; otherwise the call fails with tokenNotLoggedIn (ask the PIN).
       */
      token: tokenRefSchema,
      /** Which certificate/key on the token; default: the first with a private key. */
      cert: z.object({ keyId: z.string().max(200).optional(), fingerprint: z.string().max(200).optional() }).strict().optional(),
      /** PEM/DER files with CA certificates to embed as the signer's chain. */
      chain: z.array(filePath).max(20).optional(),
      level: padesLevelSchema.default('B-B'),
      tsaUrl: z.url().optional(),
      allowFallback: z.boolean().default(false),
      reason: z.string().max(500).optional(),
      location: z.string().max(500).optional(),
      certify: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
      appearance: appearanceSchema.optional(),
      placement: placementSchema.optional(),
      /** Password of encrypted inputs (the empty user password is tried first); never logged. */
      password: z.string().max(1024).optional(),
    }).strict().refine((v) => v.outDir !== undefined || (v.output !== undefined && v.files.length === 1) || v.overwrite, {
      message: 'outDir, or output with one file, or overwrite is required',
    }),
    output: z.object({ jobId: z.string() }),
  },
  /**
   * Where a signature would go on `file` and what it would show (images, text, seal, the
   * letter's blanks), computed by the signing engine without writing anything.
   */
  'sign:layout': {
    input: z.object({ file: filePath, appearance: appearanceSchema, placement: placementSchema.optional() }).strict(),
    output: appearanceLayoutSchema,
  },
  /** Cancels a running job: the file in progress is abandoned cleanly, finished ones stay. */
  'sign:cancel': {
    input: z.object({ jobId: z.string().min(1).max(100) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** Adds B-LT or B-LTA to the signatures of a signed file (in place, atomically, or to output). */
  'sign:extend': {
    input: z.object({ file: filePath, output: filePath.optional(), level: z.enum(['B-LT', 'B-LTA']), tsaUrl: z.url().optional(), password: z.string().max(1024).optional() }).strict(),
    output: z.object({ output: z.string(), level: padesLevelSchema }),
  },
});

/** Events of the sign domain. */
export const signEvents = eventsOf({
  'sign:progress': z.object({
    jobId: z.string(),
    index: z.number().int().min(0),
    total: z.number().int().min(1),
    file: z.string(),
    stage: z.enum(['queued', 'hashing', 'signing', 'timestamping', 'done', 'skipped', 'failed']),
    done: z.number().int().min(0),
  }),
  'sign:done': z.object({ jobId: z.string(), results: z.array(signFileResultSchema), cancelled: z.boolean() }),
});
