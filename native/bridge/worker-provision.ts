/**
 * Provisioning operations inside the bridge process: init token, set/change/unblock PIN,
 * key generation on the token, certificate objects, delete and rename. pkcs11js comes in
 * through the context (the worker stays its only importer).
 */
import type * as P from 'pkcs11js';
import { BridgeError } from './bridge-error.js';
import { ckrName, errorCodeForCkr } from './ckr.js';
import type { BridgeRequest, ObjectClassName } from './protocol.js';
import { ecSpki, paramsByCurve, rsaSpki } from '../spki.js';

/** The worker's helpers the provisioning operations use. */
export interface WorkerContext {
  pk: typeof P;
  mod(): P.PKCS11;
  session(slotId: string): Buffer;
  closeSessions(slotId: string): void;
  isLoggedIn(slotId: string): boolean;
  findObjects(s: Buffer, template: P.Template): Buffer[];
  attrs(s: Buffer, h: Buffer, types: number[]): Buffer[];
  tokenPresent(slotId: string): boolean;
}

const provisionOps = ['initToken', 'initPin', 'setPin', 'generateKeyPair', 'publicKeys', 'keyAttributes', 'createCertificate', 'destroyObjects', 'setLabel'] as const;

/** A provisioning request. */
export type ProvisionRequest = Extract<BridgeRequest, { op: (typeof provisionOps)[number] }>;

/** True for the requests this module handles. */
export function isProvisionRequest(req: BridgeRequest): req is ProvisionRequest {
  return (provisionOps as readonly string[]).includes(req.op);
}

/** Runs `fn`, turning PIN errors into SO-PIN / new-PIN codes the user can act on. */
function pinCall<T>(fn: () => T, wrongCode: string): T {
  try {
    return fn();
  } catch (e) {
    const name = ckrName(String(e));
    if (name === 'CKR_PIN_INCORRECT') throw new BridgeError(wrongCode);
    if (name === 'CKR_PIN_LOCKED') throw new BridgeError(wrongCode === 'provisionSoPinIncorrect' ? 'provisionSoPinLocked' : 'tokenPinLocked');
    if (name === 'CKR_PIN_LEN_RANGE' || name === 'CKR_PIN_INVALID' || name === 'CKR_PIN_TOO_WEAK') throw new BridgeError('tokenPinLength');
    if (name) throw new BridgeError(errorCodeForCkr(name), { detail: name });
    throw e;
  }
}

/** Logs the SO in on a fresh session, runs `fn`, logs out (a user login would block the SO). */
function asSo<T>(ctx: WorkerContext, slotId: string, soPin: string, fn: (s: Buffer) => T): T {
  const m = ctx.mod();
  const s = ctx.session(slotId);
  if (ctx.isLoggedIn(slotId)) {
    try {
      m.C_Logout(s);
    } catch {}
  }
  pinCall(() => m.C_Login(s, ctx.pk.CKU_SO, soPin), 'provisionSoPinIncorrect');
  try {
    return fn(s);
  } finally {
    try {
      m.C_Logout(s);
    } catch {}
  }
}

function classConst(ctx: WorkerContext, c: ObjectClassName): number {
  return c === 'cert' ? ctx.pk.CKO_CERTIFICATE : c === 'private' ? ctx.pk.CKO_PRIVATE_KEY : ctx.pk.CKO_PUBLIC_KEY;
}

function objectsById(ctx: WorkerContext, s: Buffer, keyId: string, classes: readonly ObjectClassName[]): Buffer[] {
  return classes.flatMap((c) =>
    ctx.findObjects(s, [
      { type: ctx.pk.CKA_CLASS, value: classConst(ctx, c) },
      { type: ctx.pk.CKA_ID, value: Buffer.from(keyId, 'hex') },
    ]),
  );
}

/** SPKI of a public key object, or null for key types Kyso does not use. */
function publicKeySpki(ctx: WorkerContext, s: Buffer, h: Buffer): { keyType: 'RSA' | 'EC' | 'other'; spki: Buffer | null } {
  const { pk } = ctx;
  const [type] = ctx.attrs(s, h, [pk.CKA_KEY_TYPE]);
  const keyType = type ? type.readUIntLE(0, Math.min(type.length, 6)) : -1;
  if (keyType === pk.CKK_RSA) {
    const [n, e] = ctx.attrs(s, h, [pk.CKA_MODULUS, pk.CKA_PUBLIC_EXPONENT]);
    return { keyType: 'RSA', spki: n && e ? rsaSpki(n, e) : null };
  }
  if (keyType === pk.CKK_EC) {
    const [params, point] = ctx.attrs(s, h, [pk.CKA_EC_PARAMS, pk.CKA_EC_POINT]);
    try {
      return { keyType: 'EC', spki: params && point ? ecSpki(params, point) : null };
    } catch {
      return { keyType: 'EC', spki: null };
    }
  }
  return { keyType: 'other', spki: null };
}

function requireLogin(ctx: WorkerContext, slotId: string): void {
  if (!ctx.isLoggedIn(slotId)) throw new BridgeError(ctx.tokenPresent(slotId) ? 'tokenNotLoggedIn' : 'tokenRemoved');
}

/** Runs one provisioning request. */
export function handleProvision(req: ProvisionRequest, ctx: WorkerContext): unknown {
  const { pk } = ctx;
  const m = ctx.mod();
  switch (req.op) {
    case 'initToken': {
      // C_InitToken needs every session on the token closed.
      ctx.closeSessions(req.slotId);
      pinCall(() => m.C_InitToken(Buffer.from(req.slotId, 'hex'), req.soPin, req.label.padEnd(32, ' ')), 'provisionSoPinIncorrect');
      return { label: req.label };
    }
    case 'initPin':
      asSo(ctx, req.slotId, req.soPin, (s) => pinCall(() => m.C_InitPIN(s, req.pin), 'provisionSoPinIncorrect'));
      return {};
    case 'setPin':
      pinCall(() => m.C_SetPIN(ctx.session(req.slotId), req.oldPin, req.newPin), 'tokenPinIncorrect');
      return {};
    case 'generateKeyPair': {
      requireLogin(ctx, req.slotId);
      const s = ctx.session(req.slotId);
      const id = Buffer.from(req.keyId, 'hex');
      const common = [
        { type: pk.CKA_TOKEN, value: true },
        { type: pk.CKA_ID, value: id },
        { type: pk.CKA_LABEL, value: req.label },
      ];
      const rsa = req.keyType.startsWith('rsa:');
      const pub: P.Template = [...common, { type: pk.CKA_VERIFY, value: true }, { type: pk.CKA_PRIVATE, value: false }];
      if (rsa) pub.push({ type: pk.CKA_MODULUS_BITS, value: Number(req.keyType.slice(4)) }, { type: pk.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) });
      else pub.push({ type: pk.CKA_EC_PARAMS, value: Buffer.from(paramsByCurve[req.keyType === 'ec:p256' ? 'P-256' : 'P-384'], 'hex') });
      // The private key never leaves the token: sensitive, not extractable.
      const priv: P.Template = [
        ...common,
        { type: pk.CKA_PRIVATE, value: true },
        { type: pk.CKA_SENSITIVE, value: true },
        { type: pk.CKA_EXTRACTABLE, value: false },
        { type: pk.CKA_SIGN, value: true },
      ];
      const mech = { mechanism: rsa ? pk.CKM_RSA_PKCS_KEY_PAIR_GEN : pk.CKM_EC_KEY_PAIR_GEN };
      const keys = m.C_GenerateKeyPair(s, mech, pub, priv);
      const { spki } = publicKeySpki(ctx, s, keys.publicKey);
      if (!spki) throw new BridgeError('tokenError', { detail: 'public key unreadable' });
      return { keyId: req.keyId, spki: spki.toString('base64') };
    }
    case 'publicKeys': {
      const s = ctx.session(req.slotId);
      const keys = ctx.findObjects(s, [{ type: pk.CKA_CLASS, value: pk.CKO_PUBLIC_KEY }]).map((h) => {
        const [id, label] = ctx.attrs(s, h, [pk.CKA_ID, pk.CKA_LABEL]);
        const { keyType, spki } = publicKeySpki(ctx, s, h);
        return { id: (id ?? Buffer.alloc(0)).toString('hex'), label: (label ?? Buffer.alloc(0)).toString('utf8'), keyType, spki: spki ? spki.toString('base64') : null };
      });
      return { keys };
    }
    case 'keyAttributes': {
      const s = ctx.session(req.slotId);
      const [h] = objectsById(ctx, s, req.keyId, ['private']);
      if (!h) return { found: false, extractable: false, sensitive: false, neverExtractable: false, alwaysSensitive: false, private: false, sign: false };
      const vals = ctx.attrs(s, h, [pk.CKA_EXTRACTABLE, pk.CKA_SENSITIVE, pk.CKA_NEVER_EXTRACTABLE, pk.CKA_ALWAYS_SENSITIVE, pk.CKA_PRIVATE, pk.CKA_SIGN]);
      const b = (i: number) => (vals[i]?.[0] ?? 0) !== 0;
      return { found: true, extractable: b(0), sensitive: b(1), neverExtractable: b(2), alwaysSensitive: b(3), private: b(4), sign: b(5) };
    }
    case 'createCertificate': {
      requireLogin(ctx, req.slotId);
      const s = ctx.session(req.slotId);
      m.C_CreateObject(s, [
        { type: pk.CKA_CLASS, value: pk.CKO_CERTIFICATE },
        { type: pk.CKA_CERTIFICATE_TYPE, value: pk.CKC_X_509 },
        { type: pk.CKA_TOKEN, value: true },
        { type: pk.CKA_PRIVATE, value: false },
        { type: pk.CKA_ID, value: Buffer.from(req.keyId, 'hex') },
        { type: pk.CKA_LABEL, value: req.label },
        { type: pk.CKA_SUBJECT, value: Buffer.from(req.subject, 'base64') },
        { type: pk.CKA_ISSUER, value: Buffer.from(req.issuer, 'base64') },
        { type: pk.CKA_SERIAL_NUMBER, value: Buffer.from(req.serial, 'base64') },
        { type: pk.CKA_VALUE, value: Buffer.from(req.der, 'base64') },
      ]);
      return {};
    }
    case 'destroyObjects': {
      requireLogin(ctx, req.slotId);
      const s = ctx.session(req.slotId);
      const objs = objectsById(ctx, s, req.keyId, req.classes);
      for (const h of objs) m.C_DestroyObject(s, h);
      return { count: objs.length };
    }
    case 'setLabel': {
      requireLogin(ctx, req.slotId);
      const s = ctx.session(req.slotId);
      const objs = objectsById(ctx, s, req.keyId, req.classes);
      for (const h of objs) m.C_SetAttributeValue(s, h, [{ type: pk.CKA_LABEL, value: req.label }]);
      return { count: objs.length };
    }
  }
}
