/** The gateway's model: a link to the axis (VXP or LGSP), what the axis lists, its directory. */
import { z } from 'zod';
import { VXP_SIGN_ORDER, type VxpCall } from './vxp-headers.js';

/** Kinds of platform. */
export const AXIS_KINDS = ['vxp', 'lgsp'] as const;
/** A platform kind. */
export type AxisKind = (typeof AXIS_KINDS)[number];

/** Where a credential lives: an environment variable of the server, or a file outside the data directory. */
export const secretRefSchema = z.union([z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/) }).strict(), z.object({ file: z.string().min(1) }).strict()]);
/** A credential reference. */
export type SecretRef = z.infer<typeof secretRefSchema>;

/** The references a link keeps: the secret (VXP secret, LGSP client secret) and LGSP's unit secret id. */
export const secretRefsSchema = z.object({ secret: secretRefSchema, secretId: secretRefSchema.optional() }).strict();
/** A link's credential references. */
export type SecretRefs = z.infer<typeof secretRefsSchema>;

const callNames = Object.keys(VXP_SIGN_ORDER) as [VxpCall, ...VxpCall[]];

/** A link's settings (no secrets). Defaults are the observed platform's; every one may be changed. */
export const linkConfigSchema = z.object({
  /** VXP: the system id the platform issued. */
  systemId: z.string().min(1).max(200).optional(),
  /** VXP: the signed header names per call, when the platform's order differs from VXP_SIGN_ORDER. */
  signOrder: z.partialRecord(z.enum(callNames), z.array(z.string().min(1).max(100)).max(20)).default({}),
  /** VXP: the `filePath` header of getEdoc (the SDK sends its local folder; we send this). */
  filePath: z.string().max(200).default('kyso'),
  /** Refuse answers that carry no valid signature headers (default: check them only when present). */
  requireSignedAnswers: z.boolean().default(false),
  /** LGSP: OAuth2 client id. */
  clientId: z.string().min(1).max(200).optional(),
  /** LGSP: token path under the endpoint. */
  tokenPath: z.string().max(200).default('/token'),
  /** LGSP: versioned base path of the REST routes. */
  basePath: z.string().max(200).default('/truclienthong/v1.0.0'),
  /** LGSP: header carrying the unit's secret id on every call. */
  secretIdHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).default('secretId'),
  /** Poll period of the axis (ms). */
  pollMs: z.number().int().min(50).max(3_600_000).default(30_000),
  /** Directory refresh period (ms). */
  agenciesMs: z.number().int().min(1000).max(7 * 86_400_000).default(3_600_000),
  /** Deadline of one call (ms). */
  timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
  /** Largest package accepted from the axis (bytes). */
  maxPackageBytes: z.number().int().min(1024).max(2 * 1024 ** 3).default(256 * 1024 ** 2),
});
/** A link's settings (parsed, defaults filled). */
export type LinkConfig = z.infer<typeof linkConfigSchema>;

/** A configured link as stored. */
export interface AxisLink {
  name: string;
  kind: AxisKind;
  endpoint: string;
  config: LinkConfig;
  secrets: SecretRefs;
  createdAt: string;
}

/** One entry the axis lists as waiting for us. */
export interface AxisListed {
  docId: string;
  from?: string;
  to?: string[];
}

/** One body of the axis directory. */
export interface AxisAgency {
  code: string;
  name: string;
  parent: string | null;
}

/** How the gateway tells the axis it is finished with a listed entry. */
export type AxisAck = 'done' | 'fail' | 'processing';

/** The operations of a platform, whatever its shape. Every answer is validated; failures are KysoErrors. */
export interface AxisClient {
  /** The directory of bodies reachable through the axis. */
  agencies(): Promise<AxisAgency[]>;
  /** Documents (`edoc`) or status messages (`status`) waiting for us. */
  received(kind: 'edoc' | 'status'): Promise<AxisListed[]>;
  /** Downloads one listed entry's edXML bytes into `dest`. */
  download(docId: string, kind: 'edoc' | 'status', dest: string): Promise<{ bytes: number; sha256: string }>;
  /** Marks a listed entry processed (or failed) so the axis stops offering it. */
  ack(docId: string, outcome: AxisAck): Promise<void>;
  /** Sends a package from a local body to outside bodies; returns the axis's id for it. */
  sendDocument(file: string, from: string, to: string[]): Promise<{ docId: string }>;
  /** Sends a status message from a local body. */
  sendStatus(file: string, from: string, to: string[]): Promise<{ docId: string }>;
}
