/**
 * What IT staff look at on tokens beyond the list: the key pairs (to pick from rather than
 * type CKA_IDs) and whether each certificate is revoked (online OCSP, then CRL, when reachable).
 */
import type { TokenRef } from '../../native/types.js';
import type { TokenManager } from '../../native/token-manager.js';
import { certView } from '../pki/cert.js';

/** A key pair on a token, as offered in the key pickers. */
export interface TokenKey {
  keyId: string;
  label: string;
  /** The certificate bound to the key (its subject), when there is one. */
  subject: string | null;
  hasPrivateKey: boolean;
}

/** The key pairs of a token (private keys show only after login; public ones always). */
export async function tokenKeys(tm: Pick<TokenManager, 'resolve'>, ref: TokenRef): Promise<TokenKey[]> {
  const { client, slotId } = await tm.resolve(ref);
  const o = await client.call({ op: 'objects', slotId });
  const ids = new Map<string, TokenKey>();
  const add = (id: string, label: string, priv: boolean) => {
    if (!id) return;
    const k = ids.get(id) ?? { keyId: id, label, subject: null, hasPrivateKey: false };
    k.label ||= label;
    k.hasPrivateKey ||= priv;
    ids.set(id, k);
  };
  for (const k of o.publicKeys) add(k.id, k.label, false);
  for (const k of o.privateKeys) add(k.id, k.label, true);
  for (const c of o.certificates) {
    const k = ids.get(c.id);
    if (k) {
      try {
        k.subject = certView(Buffer.from(c.der, 'base64')).subject;
      } catch {
        // An unreadable certificate object leaves the key without a subject.
      }
    }
  }
  return [...ids.values()].sort((a, b) => a.keyId.localeCompare(b.keyId));
}

/** A certificate's revocation as the inventory shows it. */
export interface CertRevocation {
  status: 'good' | 'revoked' | 'unknown';
  source: string;
  revokedAt: string | null;
}

/** Key of an inventory row: module, token serial, certificate serial (hex). */
export const revocationKey = (module: string, tokenSerial: string, certSerial: string) => `${module}\u0000${tokenSerial}\u0000${certSerial.toLowerCase()}`;

/**
 * The revocation status of every certificate on the present tokens: issuer from the token's
 * own CA certificates, the trust store or AIA; OCSP then CRL online. Unknown when nothing
 * answers (offline, no issuer found), never guessed.
 */
export async function tokenRevocations(tm: Pick<TokenManager, 'list' | 'resolve'>, home: string | undefined): Promise<Map<string, CertRevocation>> {
  // Loaded when asked: chain building, revocation and the trust store are the validation stack.
  const [{ buildChain }, { checkRevocation }, { anchorsFor }] = await Promise.all([import('../pki/chain.js'), import('../pki/revocation.js'), import('../validation/index.js')]);
  const out = new Map<string, CertRevocation>();
  const anchors = anchorsFor(home);
  const jobs: Promise<void>[] = [];
  for (const m of await tm.list()) {
    for (const t of m.tokens) {
      jobs.push((async () => {
        const { client, slotId } = await tm.resolve({ module: m.path, serial: t.serial, label: t.label });
        const o = await client.call({ op: 'objects', slotId });
        const ders = o.certificates.map((c) => Buffer.from(c.der, 'base64'));
        await Promise.all(ders.map(async (der) => {
          let key: string;
          try {
            key = revocationKey(m.path, t.serial, certView(der).serial);
          } catch {
            return;
          }
          try {
            const leaf = certView(der);
            if (leaf.isCa) return;
            const chain = await buildChain({ leaf, pool: ders, anchors, offline: false });
            const issuer = chain.path?.[1];
            if (!issuer) return void out.set(key, { status: 'unknown', source: 'none', revokedAt: null });
            const r = await checkRevocation({ cert: leaf, issuer, ocsps: [], crls: [], offline: false });
            out.set(key, { status: r.status, source: r.source, revokedAt: r.revocationTime?.toISOString() ?? null });
          } catch {
            out.set(key, { status: 'unknown', source: 'none', revokedAt: null });
          }
        }));
      })().catch(() => undefined));
    }
  }
  await Promise.all(jobs);
  return out;
}
