/**
 * Messages between the app and a token-bridge process. Binary values travel as base64 so the
 * same JSON-safe messages work over child_process IPC and Electron's utilityProcess. A PIN
 * appears only in a `login` request and is never echoed back.
 */
// zod/mini: the bridge worker validates every request, and full zod (about 580 KB bundled)
// took 40-55 ms of the worker's start-up, which every `kyso sign` waits for. The mini build
// tree-shakes to the few validators used here.
import * as z from 'zod/mini';

const b64 = z.string();

/** Signing mechanisms the bridge knows, by their PKCS#11 name without the CKM_ prefix. */
export const mechanismNames = [
  'RSA_PKCS',
  'SHA256_RSA_PKCS',
  'SHA384_RSA_PKCS',
  'SHA512_RSA_PKCS',
  'RSA_PKCS_PSS',
  'SHA256_RSA_PKCS_PSS',
  'SHA384_RSA_PKCS_PSS',
  'SHA512_RSA_PKCS_PSS',
  'ECDSA',
  'ECDSA_SHA256',
  'ECDSA_SHA384',
  'ECDSA_SHA512',
] as const;

/** One signing mechanism name. */
export type MechanismName = (typeof mechanismNames)[number];

/** Key types the bridge can generate on a token. */
export const keyTypes = ['rsa:2048', 'rsa:3072', 'ec:p256', 'ec:p384'] as const;
/** A key type to generate. */
export type KeyTypeName = (typeof keyTypes)[number];

/** Object classes provisioning can delete or rename, selected by CKA_ID. */
export const objectClasses = ['cert', 'private', 'public'] as const;
/** An object class name. */
export type ObjectClassName = (typeof objectClasses)[number];

/** Requests the parent sends; `id` pairs a response with its request. */
export const requestSchema = z.discriminatedUnion('op', [
  z.object({ id: z.number(), op: z.literal('load'), path: z.string() }),
  z.object({ id: z.number(), op: z.literal('slots') }),
  z.object({ id: z.number(), op: z.literal('objects'), slotId: z.string() }),
  z.object({ id: z.number(), op: z.literal('mechanisms'), slotId: z.string() }),
  z.object({ id: z.number(), op: z.literal('login'), slotId: z.string(), pin: z.nullable(z.string()) }),
  z.object({ id: z.number(), op: z.literal('logout'), slotId: z.string() }),
  // Provisioning (issue 8). PINs here are the SO PIN and the new/old user PIN: never echoed.
  z.object({ id: z.number(), op: z.literal('initToken'), slotId: z.string(), soPin: z.string(), label: z.string().check(z.maxLength(32)) }),
  z.object({ id: z.number(), op: z.literal('initPin'), slotId: z.string(), soPin: z.string(), pin: z.string() }),
  z.object({ id: z.number(), op: z.literal('setPin'), slotId: z.string(), oldPin: z.string(), newPin: z.string() }),
  z.object({ id: z.number(), op: z.literal('generateKeyPair'), slotId: z.string(), keyType: z.enum(keyTypes), label: z.string(), keyId: z.string() }),
  z.object({ id: z.number(), op: z.literal('publicKeys'), slotId: z.string() }),
  z.object({ id: z.number(), op: z.literal('keyAttributes'), slotId: z.string(), keyId: z.string() }),
  z.object({ id: z.number(), op: z.literal('createCertificate'), slotId: z.string(), keyId: z.string(), label: z.string(), der: b64, subject: b64, issuer: b64, serial: b64 }),
  z.object({ id: z.number(), op: z.literal('destroyObjects'), slotId: z.string(), keyId: z.string(), classes: z.array(z.enum(objectClasses)) }),
  z.object({ id: z.number(), op: z.literal('setLabel'), slotId: z.string(), keyId: z.string(), classes: z.array(z.enum(objectClasses)), label: z.string() }),
  z.object({
    id: z.number(),
    op: z.literal('sign'),
    slotId: z.string(),
    keyId: z.string(),
    mechanism: z.enum(mechanismNames),
    pss: z.optional(z.object({ hash: z.enum(['SHA-256', 'SHA-384', 'SHA-512']), saltLength: z.number() })),
    data: b64,
  }),
]);

/** A request message. */
export type BridgeRequest = z.output<typeof requestSchema>;
/** Operation names. */
export type BridgeOp = BridgeRequest['op'];
/** A request without its id (what callers pass to the client). */
export type BridgeCall = BridgeRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Raw token info as the bridge reads it (flags still as the CK_FLAGS number). */
export const rawTokenSchema = z.object({
  label: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  serial: z.string(),
  flags: z.number(),
  minPinLen: z.number(),
  maxPinLen: z.number(),
});

/** Result of each operation. */
export const resultSchemas = {
  load: z.object({ manufacturer: z.string(), description: z.string(), libraryVersion: z.string(), cryptokiVersion: z.string() }),
  slots: z.object({
    slots: z.array(z.object({ slotId: z.string(), description: z.string(), token: z.nullable(rawTokenSchema) })),
  }),
  objects: z.object({
    loggedIn: z.boolean(),
    certificates: z.array(z.object({ id: z.string(), label: z.string(), der: b64 })),
    privateKeys: z.array(z.object({ id: z.string(), label: z.string() })),
    publicKeys: z.array(z.object({ id: z.string(), label: z.string() })),
  }),
  mechanisms: z.object({ mechanisms: z.array(z.enum(mechanismNames)) }),
  login: z.object({ loggedIn: z.boolean() }),
  logout: z.object({ loggedIn: z.boolean() }),
  sign: z.object({ signature: b64 }),
  initToken: z.object({ label: z.string() }),
  initPin: z.object({}),
  setPin: z.object({}),
  generateKeyPair: z.object({ keyId: z.string(), spki: b64 }),
  publicKeys: z.object({
    keys: z.array(z.object({ id: z.string(), label: z.string(), keyType: z.enum(['RSA', 'EC', 'other']), spki: z.nullable(b64) })),
  }),
  keyAttributes: z.object({
    found: z.boolean(),
    extractable: z.boolean(),
    sensitive: z.boolean(),
    neverExtractable: z.boolean(),
    alwaysSensitive: z.boolean(),
    private: z.boolean(),
    sign: z.boolean(),
  }),
  createCertificate: z.object({}),
  destroyObjects: z.object({ count: z.number() }),
  setLabel: z.object({ count: z.number() }),
} satisfies Record<BridgeOp, z.ZodMiniType>;

/** Result type of an operation. */
export type BridgeResult<O extends BridgeOp> = z.output<(typeof resultSchemas)[O]>;

/** A response: the value, or a KysoError code with plain params (never a PIN). */
export const responseSchema = z.union([
  z.object({ id: z.number(), ok: z.literal(true), value: z.unknown() }),
  z.object({
    id: z.number(),
    ok: z.literal(false),
    error: z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])) }),
  }),
]);

/** A response message. */
export type BridgeResponse = z.output<typeof responseSchema>;
