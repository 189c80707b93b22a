/**
 * Token-bridge process entry: the ONLY module that imports pkcs11js. One process loads one
 * PKCS#11 module, so a vendor driver that hangs or crashes takes down this process only.
 * Talks to the parent over child_process IPC or Electron's parentPort, one JSON message per
 * request. Never logs, stores or returns a PIN.
 */
import { createRequire } from 'node:module';
import type * as P from 'pkcs11js';
import { existsSync } from 'node:fs';
import { BridgeError, type BridgeErrorParams } from './bridge-error.js';
import { ckrName, errorCodeForCkr } from './ckr.js';
import { handleProvision, isProvisionRequest, type WorkerContext } from './worker-provision.js';
import { mechanismNames, requestSchema, type BridgeRequest, type BridgeResponse } from './protocol.js';

const require = createRequire(import.meta.url);
const pkcs11js = require('pkcs11js') as typeof P;

// CK_STATE values (not exported by pkcs11js' typings).
const CKS_RO_USER_FUNCTIONS = 1;
const CKS_RW_USER_FUNCTIONS = 3;
const CKF_TOKEN_PRESENT = 0x1;

type Params = BridgeErrorParams;

let lib: P.PKCS11 | undefined;
let libPath = '';
/** One session per slot (hex handle), opened on demand; login state is per token. */
const sessions = new Map<string, Buffer>();

const trim = (s: string) => s.replace(/\0/g, '').trim();
const version = (v: P.Version) => `${v.major}.${v.minor}`;

function mod(): P.PKCS11 {
  if (!lib) throw new BridgeError('tokenError', { detail: 'module not loaded' });
  return lib;
}

function slotHandle(slotId: string): Buffer {
  return Buffer.from(slotId, 'hex');
}

function session(slotId: string): Buffer {
  let s = sessions.get(slotId);
  if (!s) {
    s = mod().C_OpenSession(slotHandle(slotId), pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    sessions.set(slotId, s);
  }
  return s;
}

function isLoggedIn(slotId: string): boolean {
  const s = sessions.get(slotId);
  if (!s) return false;
  try {
    const state = mod().C_GetSessionInfo(s).state;
    return state === CKS_RO_USER_FUNCTIONS || state === CKS_RW_USER_FUNCTIONS;
  } catch {
    sessions.delete(slotId);
    return false;
  }
}

/** Reads token info; null when the slot has no (readable) token: SoftHSM2 reports a deleted token this way. */
function tokenInfo(slot: Buffer) {
  try {
    const t = mod().C_GetTokenInfo(slot);
    return {
      label: trim(t.label),
      manufacturer: trim(t.manufacturerID),
      model: trim(t.model),
      serial: trim(t.serialNumber),
      flags: t.flags,
      minPinLen: t.minPinLen,
      maxPinLen: t.maxPinLen,
    };
  } catch {
    return null;
  }
}

function findObjects(s: Buffer, template: P.Template): Buffer[] {
  const m = mod();
  m.C_FindObjectsInit(s, template);
  try {
    const out: Buffer[] = [];
    for (;;) {
      const batch = m.C_FindObjects(s, 64);
      out.push(...batch);
      if (batch.length < 64) return out;
    }
  } finally {
    m.C_FindObjectsFinal(s);
  }
}

function attrs(s: Buffer, h: Buffer, types: number[]): Buffer[] {
  return mod().C_GetAttributeValue(s, h, types.map((type) => ({ type }))).map((a) => a.value ?? Buffer.alloc(0));
}

function listKeys(s: Buffer, cls: number) {
  return findObjects(s, [{ type: pkcs11js.CKA_CLASS, value: cls }]).map((h) => {
    const [id, label] = attrs(s, h, [pkcs11js.CKA_ID, pkcs11js.CKA_LABEL]);
    return { id: (id ?? Buffer.alloc(0)).toString('hex'), label: (label ?? Buffer.alloc(0)).toString('utf8') };
  });
}

/** Fails with tokenRemoved when the slot's token is gone, else with the given code. */
function failFor(slotId: string, code: string, params: Params = {}): never {
  if (!tokenInfo(slotHandle(slotId))) throw new BridgeError('tokenRemoved', {});
  throw new BridgeError(code, params);
}

const pssHash = { 'SHA-256': 'SHA256', 'SHA-384': 'SHA384', 'SHA-512': 'SHA512' } as const;

function mechConst(name: string): number {
  const v = (pkcs11js as unknown as Record<string, unknown>)[name];
  if (typeof v !== 'number') throw new BridgeError('tokenMechanismUnsupported', { mechanism: name });
  return v;
}

function moduleInfo(m: P.PKCS11) {
  const info = m.C_GetInfo();
  return {
    manufacturer: trim(info.manufacturerID),
    description: trim(info.libraryDescription),
    libraryVersion: version(info.libraryVersion),
    cryptokiVersion: version(info.cryptokiVersion),
  };
}

/** What the provisioning operations may use (they get pkcs11js through here, not by import). */
const ctx: WorkerContext = {
  pk: pkcs11js,
  mod,
  session,
  closeSessions(slotId) {
    sessions.delete(slotId);
    mod().C_CloseAllSessions(slotHandle(slotId));
  },
  isLoggedIn,
  findObjects,
  attrs,
  tokenPresent: (slotId) => tokenInfo(slotHandle(slotId)) !== null,
};

async function handle(req: BridgeRequest): Promise<unknown> {
  if (isProvisionRequest(req)) return handleProvision(req, ctx);
  switch (req.op) {
    case 'load': {
      // One C_Initialize per process: a repeated load of the same module only reports its info.
      if (lib && libPath === req.path) return moduleInfo(lib);
      if (lib) throw new BridgeError('tokenError', { detail: 'another module is loaded in this bridge' });
      if (!existsSync(req.path)) throw new BridgeError('tokenModuleNotFound', { path: req.path });
      const m = new pkcs11js.PKCS11();
      try {
        m.load(req.path);
      } catch (e) {
        throw new BridgeError('tokenModuleLoadFailed', { path: req.path, detail: e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e) });
      }
      try {
        m.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
      } catch (e) {
        if (ckrName(String(e)) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw e;
      }
      lib = m;
      libPath = req.path;
      return moduleInfo(m);
    }
    case 'slots': {
      const m = mod();
      return {
        slots: m.C_GetSlotList(false).map((slot) => {
          const info = m.C_GetSlotInfo(slot);
          const present = (info.flags & CKF_TOKEN_PRESENT) !== 0;
          const slotId = slot.toString('hex');
          const token = present ? tokenInfo(slot) : null;
          if (!token) sessions.delete(slotId);
          return { slotId, description: trim(info.slotDescription), token };
        }),
      };
    }
    case 'objects': {
      const s = session(req.slotId);
      const certs = findObjects(s, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE }]).map((h) => {
        const [id, label, value] = attrs(s, h, [pkcs11js.CKA_ID, pkcs11js.CKA_LABEL, pkcs11js.CKA_VALUE]);
        return { id: (id ?? Buffer.alloc(0)).toString('hex'), label: (label ?? Buffer.alloc(0)).toString('utf8'), der: (value ?? Buffer.alloc(0)).toString('base64') };
      });
      return {
        loggedIn: isLoggedIn(req.slotId),
        certificates: certs,
        privateKeys: listKeys(s, pkcs11js.CKO_PRIVATE_KEY),
        publicKeys: listKeys(s, pkcs11js.CKO_PUBLIC_KEY),
      };
    }
    case 'mechanisms': {
      const have = new Set(mod().C_GetMechanismList(slotHandle(req.slotId)));
      return { mechanisms: mechanismNames.filter((n) => have.has(mechConst(`CKM_${n}`))) };
    }
    case 'login': {
      if (isLoggedIn(req.slotId)) return { loggedIn: true };
      const s = session(req.slotId);
      try {
        // null = PIN pad: the module collects the PIN itself.
        if (req.pin === null) mod().C_Login(s, pkcs11js.CKU_USER);
        else mod().C_Login(s, pkcs11js.CKU_USER, req.pin);
      } catch (e) {
        const name = ckrName(String(e));
        if (name === 'CKR_USER_ALREADY_LOGGED_IN') return { loggedIn: true };
        const code = name ? errorCodeForCkr(name) : 'tokenError';
        if (code === 'tokenPinIncorrect' || code === 'tokenPinLocked') {
          // Report the token's own warning state after the failed attempt; never retry.
          const t = tokenInfo(slotHandle(req.slotId));
          const f = t?.flags ?? 0;
          const locked = (f & pkcs11js.CKF_USER_PIN_LOCKED) !== 0;
          const countLow = (f & pkcs11js.CKF_USER_PIN_COUNT_LOW) !== 0;
          const finalTry = (f & pkcs11js.CKF_USER_PIN_FINAL_TRY) !== 0;
          const wrong = finalTry ? 'tokenPinIncorrectFinalTry' : countLow ? 'tokenPinIncorrectCountLow' : 'tokenPinIncorrect';
          throw new BridgeError(locked ? 'tokenPinLocked' : code === 'tokenPinLocked' ? code : wrong, { countLow, finalTry, locked });
        }
        throw e;
      }
      return { loggedIn: true };
    }
    case 'logout': {
      const s = sessions.get(req.slotId);
      if (s && isLoggedIn(req.slotId)) {
        try {
          mod().C_Logout(s);
        } catch (e) {
          if (ckrName(String(e)) !== 'CKR_USER_NOT_LOGGED_IN') throw e;
        }
      }
      return { loggedIn: false };
    }
    case 'sign': {
      const s = session(req.slotId);
      const keys = findObjects(s, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_ID, value: Buffer.from(req.keyId, 'hex') },
      ]);
      const key = keys[0];
      if (!key) {
        if (!isLoggedIn(req.slotId)) failFor(req.slotId, 'tokenNotLoggedIn');
        failFor(req.slotId, 'tokenNoPrivateKey', { keyId: req.keyId });
      }
      const mechanism: P.Mechanism = { mechanism: mechConst(`CKM_${req.mechanism}`) };
      if (req.pss) {
        const h = pssHash[req.pss.hash];
        mechanism.parameter = {
          type: pkcs11js.CK_PARAMS_RSA_PSS,
          hashAlg: mechConst(`CKM_${h}`),
          mgf: mechConst(`CKG_MGF1_${h}`),
          saltLen: req.pss.saltLength,
        } as P.RsaPSS;
      }
      const m = mod();
      m.C_SignInit(s, mechanism, key);
      const sig = m.C_Sign(s, Buffer.from(req.data, 'base64'), Buffer.alloc(1024));
      return { signature: sig.toString('base64') };
    }
  }
}

function toResponse(req: BridgeRequest, e: unknown): BridgeResponse {
  let code: string;
  let params: Record<string, string | number | boolean | null>;
  if (e instanceof BridgeError) ({ code, params } = e);
  else {
    const message = e instanceof Error ? e.message : String(e);
    const name = ckrName(message) ?? ckrName(e instanceof Error ? String(e.stack) : '');
    code = name ? errorCodeForCkr(name) : 'tokenError';
    params = { detail: name ?? message.split('\n')[0] ?? '', module: libPath };
  }
  // The message names what the token refused: the signing mechanism, or the key type asked for.
  if (code === 'tokenMechanismUnsupported' && params.mechanism === undefined) {
    params = { ...params, mechanism: req.op === 'sign' ? req.mechanism : req.op === 'generateKeyPair' ? req.keyType : String(params.detail ?? '') };
  }
  return { id: req.id, ok: false, error: { code, params } };
}

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (msg: BridgeResponse) => (parentPort ? parentPort.postMessage(msg) : process.send?.(msg));

async function onMessage(raw: unknown): Promise<void> {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
    send({ id, ok: false, error: { code: 'tokenError', params: { detail: 'bad request' } } });
    return;
  }
  const req = parsed.data;
  try {
    send({ id: req.id, ok: true, value: await handle(req) });
  } catch (e) {
    send(toResponse(req, e));
  }
}

if (parentPort) parentPort.on('message', (e) => void onMessage(e.data));
else process.on('message', (m) => void onMessage(m));
// The parent going away must end this process (it holds a driver and maybe a login).
process.on('disconnect', () => process.exit(0));
