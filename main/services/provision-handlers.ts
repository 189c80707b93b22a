/** Use cases of the provision domain over the core's TokenManager (see native/provisioning.ts). */
import { readFileOrFail, writeFileOrFail } from '../signing/atomic.js';
import { KysoError } from '../api/errors.js';
import { parseSubject } from '../../native/csr.js';
import { Provisioner } from '../../native/provisioning.js';
import type { TokenManager } from '../../native/token-manager.js';
import { inventoryText, tokenInventory } from './provision.js';
import { revocationKey, tokenKeys, tokenRevocations } from './token-objects.js';
import type { provisionOperations } from '../api/contract/provision.js';
import type { HandlersFor } from './types.js';


/** Handlers for provision:*; with `home`, the inventory also covers tokens seen before (tokens-seen.json). */
export function createProvisionHandlers(tokens: TokenManager, home?: string): HandlersFor<keyof typeof provisionOperations> {
  const prov = new Provisioner(tokens);
  const inventory = () => tokenInventory(prov, home);
  return {
    'provision:init': async ({ token, label, soPin, userPin }) => {
      await prov.initToken(token, { label, soPin, ...(userPin !== undefined ? { userPin } : {}) });
      return { label };
    },
    'provision:setPin': async ({ token, soPin, newPin }) => {
      await prov.setUserPin(token, soPin, newPin);
      return { done: true as const };
    },
    'provision:changePin': async ({ token, oldPin, newPin }) => {
      await prov.changePin(token, oldPin, newPin);
      return { done: true as const };
    },
    'provision:keygen': async ({ token, type, label, keyId }) => {
      const r = await prov.generateKey(token, { type, label, ...(keyId ? { keyId } : {}) });
      return { keyId: r.keyId, publicKeyPem: r.publicKeyPem };
    },
    'provision:csr': async ({ token, key, subject, savePath }) => {
      const csr = await prov.createCsr(token, { key: { ...(key.label !== undefined ? { label: key.label } : {}), ...(key.keyId !== undefined ? { keyId: key.keyId } : {}) }, subject: parseSubject(subject) });
      if (savePath) writeFileOrFail(savePath, csr.pem);
      return { keyId: csr.keyId, subject: csr.subject, pem: csr.pem, savedTo: savePath ?? null };
    },
    'provision:importCert': async ({ token, path, pem, label }) => {
      let bytes: Buffer;
      if (path !== undefined) bytes = readFileOrFail(path);
      else if (pem !== undefined) bytes = Buffer.from(pem, 'utf8');
      else throw new KysoError('provisionCertUnreadable');
      return prov.importCertificate(token, bytes, { ...(label ? { label } : {}) });
    },
    'provision:delete': async ({ token, keyId, what, confirm }) => ({ count: await prov.delete(token, { keyId, what, confirm }) }),
    'provision:rename': async ({ token, keyId, label, what }) => ({ count: await prov.rename(token, { keyId, label, ...(what ? { what } : {}) }) }),
    'provision:keys': async ({ token }) => ({ keys: await tokenKeys(tokens, token) }),
    'provision:inventory': async ({ checkRevocation }) => {
      const rows = await inventory();
      if (!checkRevocation) return { certificates: rows };
      const rev = await tokenRevocations(tokens, home);
      return { certificates: rows.map((r) => {
        const v = r.present ? rev.get(revocationKey(r.module, r.serial, r.certSerial)) : undefined;
        return v ? { ...r, revocation: v } : r;
      }) };
    },
    'provision:exportInventory': async ({ format, path }) => {
      const rows = await inventory();
      writeFileOrFail(path, inventoryText(rows, format));
      return { path, count: rows.length };
    },
  };
}
