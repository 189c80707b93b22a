/**
 * Token provisioning for IT staff (issue 8) over the TokenManager's bridges: initialise a
 * token, set / change / unblock PINs, generate key pairs ON the token, make PKCS#10 requests,
 * import the issued certificate bound to its key, delete and rename objects, inventory.
 */
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { KysoError } from '../main/api/errors.js';
import { certView, parseCertificate } from '../main/pki/cert.js';
import { parseCertificates } from '../main/pki/cert-file.js';
import type { KeyTypeName, ObjectClassName } from './bridge/protocol.js';
import { buildCsr, type CsrResult, type Rdn } from './csr.js';
import type { TokenManager } from './token-manager.js';
import type { TokenRef } from './types.js';
import { toCsv } from '../main/store/register-csv.js';

/** The DER subject, issuer and serial INTEGER of a certificate (its PKCS#11 attributes). */
function certIdentity(der: Uint8Array): { subject: Buffer; issuer: Buffer; serial: Buffer } {
  const cert = parseCertificate(der);
  return {
    subject: Buffer.from(cert.subject.toSchema().toBER(false)),
    issuer: Buffer.from(cert.issuer.toSchema().toBER(false)),
    serial: Buffer.from(cert.serialNumber.toBER(false)),
  };
}

/** What to delete for a key id. */
export type DeleteWhat = 'cert' | 'key' | 'all';

const classesFor: Record<DeleteWhat, ObjectClassName[]> = { cert: ['cert'], key: ['private', 'public'], all: ['cert', 'private', 'public'] };

/** One inventory row: a certificate on a token (CSV/JSON export). */
export interface InventoryRow {
  module: string;
  token: string;
  serial: string;
  keyId: string;
  subject: string;
  issuer: string;
  certSerial: string;
  notAfter: string;
  daysLeft: number;
  expiresSoon: boolean;
  hasPrivateKey: boolean;
}

function checkPin(pin: string, min: number, max: number): void {
  // Policy from the token's own min/max PIN length flags, which count bytes (PKCS#11 UTF-8).
  const bytes = Buffer.byteLength(pin, 'utf8');
  if (bytes < min || (max > 0 && bytes > max)) throw new KysoError('provisionPinPolicy', { min, max });
}

/**
 * A CKA_ID as lower-case hex, or provisionKeyIdInvalid. Decoding stops at the first non-hex
 * character, so "zz" would select the objects without an id and "0a5" those of "0a".
 */
function checkedKeyId(keyId: string): string {
  const id = keyId.toLowerCase();
  if (!/^([0-9a-f]{2})+$/.test(id)) throw new KysoError('provisionKeyIdInvalid', { keyId });
  return id;
}

/** Provisioning operations on tokens reached through a TokenManager. */
export class Provisioner {
  constructor(private readonly tm: TokenManager) {}

  /** Initialises (erases!) a token with a label and SO PIN; optionally sets the user PIN. */
  async initToken(ref: TokenRef, opts: { label: string; soPin: string; userPin?: string }): Promise<void> {
    const { client, slotId, token } = await this.tm.resolve(ref);
    if (!opts.label.trim() || Buffer.byteLength(opts.label) > 32) throw new KysoError('provisionLabelInvalid', { label: opts.label });
    checkPin(opts.soPin, token.minPinLen, token.maxPinLen);
    if (opts.userPin !== undefined) checkPin(opts.userPin, token.minPinLen, token.maxPinLen);
    await client.call({ op: 'initToken', slotId, soPin: opts.soPin, label: opts.label });
    if (opts.userPin !== undefined) await client.call({ op: 'initPin', slotId, soPin: opts.soPin, pin: opts.userPin });
  }

  /** Sets the user PIN with the SO PIN: first PIN after init, or unblocking a locked PIN. */
  async setUserPin(ref: TokenRef, soPin: string, newPin: string): Promise<void> {
    const { client, slotId, token } = await this.tm.resolve(ref);
    checkPin(newPin, token.minPinLen, token.maxPinLen);
    await client.call({ op: 'initPin', slotId, soPin, pin: newPin });
  }

  /** Changes the user PIN (old PIN required). */
  async changePin(ref: TokenRef, oldPin: string, newPin: string): Promise<void> {
    const { client, slotId, token } = await this.tm.resolve(ref);
    checkPin(newPin, token.minPinLen, token.maxPinLen);
    await client.call({ op: 'setPin', slotId, oldPin, newPin });
  }

  /** Generates a key pair on the token (login first); the private key is sensitive and not extractable. */
  async generateKey(ref: TokenRef, opts: { type: KeyTypeName; label: string; keyId?: string }): Promise<{ keyId: string; spki: Buffer; publicKeyPem: string }> {
    const { client, slotId } = await this.tm.resolve(ref);
    const keyId = checkedKeyId(opts.keyId ?? randomBytes(8).toString('hex'));
    const { keys } = await client.call({ op: 'publicKeys', slotId });
    if (keys.some((k) => k.id === keyId)) throw new KysoError('provisionKeyIdInUse', { keyId });
    const r = await client.call({ op: 'generateKeyPair', slotId, keyType: opts.type, label: opts.label, keyId });
    const spki = Buffer.from(r.spki, 'base64');
    return { keyId, spki, publicKeyPem: createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString() };
  }

  /** Finds a key pair by key label or CKA_ID (hex). */
  async findKey(ref: TokenRef, key: { label?: string; keyId?: string }): Promise<{ keyId: string; label: string; keyType: 'RSA' | 'EC'; spki: Buffer }> {
    const { client, slotId } = await this.tm.resolve(ref);
    const { keys } = await client.call({ op: 'publicKeys', slotId });
    const k = keys.find((x) => (key.keyId !== undefined ? x.id === key.keyId.toLowerCase() : x.label === key.label));
    if (!k) throw new KysoError('provisionKeyNotFound', { key: key.label ?? key.keyId ?? '' });
    if (k.keyType === 'other' || !k.spki) throw new KysoError('tokenKeyTypeUnsupported');
    return { keyId: k.id, label: k.label, keyType: k.keyType, spki: Buffer.from(k.spki, 'base64') };
  }

  /** Builds a PKCS#10 request signed by the token key (login first). Nothing is written here: callers preview, then save. */
  async createCsr(ref: TokenRef, opts: { key: { label?: string; keyId?: string }; subject: Rdn[] }): Promise<CsrResult & { keyId: string }> {
    const key = await this.findKey(ref, opts.key);
    const signer = await this.tm.keySigner(ref, key.keyId, key.keyType);
    return { ...(await buildCsr({ subject: opts.subject, spki: key.spki, signer, hash: key.keyType === 'EC' && key.spki.length > 100 ? 'SHA-384' : 'SHA-256' })), keyId: key.keyId };
  }

  /**
   * Imports an issued certificate (PEM/DER/P7B, chain allowed) bound to the token key with the
   * same public key; a certificate for no key on this token is refused. CA certificates of
   * the file are stored too (without CKA_ID) unless already present.
   */
  async importCertificate(ref: TokenRef, bytes: Uint8Array, opts: { label?: string } = {}): Promise<{ keyId: string; fingerprint: string; subject: string; chain: number }> {
    let certs: Buffer[];
    try {
      certs = parseCertificates(bytes);
    } catch (e) {
      throw new KysoError('provisionCertUnreadable', {}, { cause: e });
    }
    const { client, slotId } = await this.tm.resolve(ref);
    const { keys } = await client.call({ op: 'publicKeys', slotId });
    const bySpki = new Map(keys.filter((k) => k.spki).map((k) => [Buffer.from(k.spki!, 'base64').toString('hex'), k]));
    const leaf = certs.find((c) => bySpki.has(certView(c).spki.toString('hex')));
    if (!leaf) throw new KysoError('provisionCertKeyMismatch', { subject: certView(certs[0]!).subject });
    // Besides the certificate for the key, a file may carry its CA chain, nothing else: another
    // end-entity certificate would be stored as if it were a CA, with no key binding.
    const stray = certs.find((c) => c !== leaf && !certView(c).isCa);
    if (stray) throw new KysoError('provisionCertBundleAmbiguous', { subject: certView(stray).subject });
    const key = bySpki.get(certView(leaf).spki.toString('hex'))!;
    const objects = await client.call({ op: 'objects', slotId });
    const present = new Set(objects.certificates.map((c) => createHash('sha256').update(Buffer.from(c.der, 'base64')).digest('hex')));
    const fingerprint = createHash('sha256').update(leaf).digest('hex');
    const view = certView(leaf);
    const cn = view.subjectCn || undefined;
    const write = async (der: Buffer, keyId: string, label: string) => {
      const id = certIdentity(der);
      await client.call({ op: 'createCertificate', slotId, keyId, label, der: der.toString('base64'), subject: id.subject.toString('base64'), issuer: id.issuer.toString('base64'), serial: id.serial.toString('base64') });
    };
    if (!present.has(fingerprint)) await write(leaf, key.id, opts.label ?? cn ?? key.label);
    let chain = 0;
    for (const c of certs) {
      if (c === leaf) continue;
      const fp = createHash('sha256').update(c).digest('hex');
      if (present.has(fp)) continue;
      await write(c, '', certView(c).subjectCn || 'CA');
      chain++;
    }
    return { keyId: key.id, fingerprint, subject: view.subject, chain };
  }

  /** Deletes the certificate and/or key pair with this CKA_ID; `confirm` must repeat the key id (typed confirmation). */
  async delete(ref: TokenRef, opts: { keyId: string; what: DeleteWhat; confirm: string }): Promise<number> {
    const keyId = checkedKeyId(opts.keyId);
    if (opts.confirm !== opts.keyId) throw new KysoError('provisionConfirmMismatch', { expected: opts.keyId });
    const { client, slotId } = await this.tm.resolve(ref);
    const r = await client.call({ op: 'destroyObjects', slotId, keyId, classes: classesFor[opts.what] });
    if (!r.count) throw new KysoError('provisionKeyNotFound', { key: opts.keyId });
    return r.count;
  }

  /** Renames the objects (certificate and/or keys) with this CKA_ID. */
  async rename(ref: TokenRef, opts: { keyId: string; label: string; what?: DeleteWhat }): Promise<number> {
    const keyId = checkedKeyId(opts.keyId);
    const { client, slotId } = await this.tm.resolve(ref);
    const r = await client.call({ op: 'setLabel', slotId, keyId, classes: classesFor[opts.what ?? 'all'], label: opts.label });
    if (!r.count) throw new KysoError('provisionKeyNotFound', { key: opts.keyId });
    return r.count;
  }

  /** Protection attributes of the private key (CKA_EXTRACTABLE, CKA_SENSITIVE, ...). */
  async keyAttributes(ref: TokenRef, keyId: string) {
    const { client, slotId } = await this.tm.resolve(ref);
    return client.call({ op: 'keyAttributes', slotId, keyId: checkedKeyId(keyId) });
  }

  /** Every certificate on every token seen now, with days left before expiry. */
  async inventory(now = new Date()): Promise<InventoryRow[]> {
    const rows: InventoryRow[] = [];
    for (const m of await this.tm.list()) {
      for (const t of m.tokens) {
        for (const c of t.certificates) {
          rows.push({
            module: m.path,
            token: t.label,
            serial: t.serial,
            keyId: c.keyId,
            subject: c.subject,
            issuer: c.issuer,
            certSerial: c.serial,
            notAfter: c.notAfter,
            daysLeft: Math.floor((new Date(c.notAfter).getTime() - now.getTime()) / 86_400_000),
            expiresSoon: c.expiresSoon,
            hasPrivateKey: c.hasPrivateKey,
          });
        }
      }
    }
    return rows;
  }
}

/** CSV of inventory rows (RFC 4180 quoting, UTF-8); `present`/`lastSeen` come from the token registry. */
export function inventoryCsv(rows: Array<InventoryRow & { present?: boolean; lastSeen?: string }>): string {
  const cols = ['module', 'token', 'serial', 'keyId', 'subject', 'issuer', 'certSerial', 'notAfter', 'daysLeft', 'expiresSoon', 'hasPrivateKey', 'present', 'lastSeen'] as const;
  // Labels and subjects come from tokens and CAs: the shared writer defuses formula-looking
  // cells (CSV injection) and adds the BOM Excel needs for Vietnamese.
  return toCsv(cols, rows.map((r) => cols.map((c) => (r[c] === undefined ? '' : String(r[c])))));
}
