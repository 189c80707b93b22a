/**
 * Which certificate fits a signature role: an approval is the competent person's signature,
 * an issuing signature the organization's (Decree 30). Told apart by the subject as
 * Vietnamese CAs write it (a person: CCCD/CMND/passport number or a title, CN ≠ O; an
 * organization: tax or budget code, CN = O) and by key usage (document signatures need
 * non-repudiation; a login-only certificate is a last resort).
 */
import { dnPairs } from './dn.js';

/** A certificate as token:list reports it (the fields this needs). */
export interface CertLike {
  subject: string;
  keyUsage: string[];
  notAfter: string;
  hasPrivateKey: boolean;
}

/** Whose certificate it is, as far as the subject says. */
export type CertHolder = 'person' | 'organization' | 'unknown';

/** Person, organization, or unknown, from the subject. */
export function certHolder(subject: string): CertHolder {
  const pairs = dnPairs(subject);
  const get = (k: string) => pairs.filter(([a]) => a.toUpperCase() === k).map(([, v]) => v);
  const ids = [...get('UID'), ...get('SERIALNUMBER'), ...get('0.9.2342.19200300.100.1.1')].join(' ').toUpperCase();
  if (/\b(CCCD|CMND|HC|PASSPORT)\s*:/.test(ids) || get('TITLE').length || get('T').length) return 'person';
  if (/\b(MST|MNS|MSNS|MDV)\s*:/.test(ids)) return 'organization';
  const cn = get('CN')[0];
  const o = get('O')[0];
  if (cn && o) return cn === o ? 'organization' : 'person';
  return 'unknown';
}

/** How well a certificate fits a role (higher is better); expired ones last. */
export function roleScore(c: CertLike, role: string, now = Date.now()): number {
  const holder = certHolder(c.subject);
  const wanted: CertHolder | null = role === 'approval' ? 'person' : role === 'issuing' || role === 'attachment' || role === 'copy' || role === 'incoming' ? 'organization' : null;
  let s = 0;
  if (wanted && holder === wanted) s += 10;
  else if (wanted && holder !== 'unknown') s -= 5;
  if (c.keyUsage.includes('nonRepudiation') || c.keyUsage.includes('contentCommitment')) s += 2;
  if (Date.parse(c.notAfter) < now) s -= 100;
  if (!c.hasPrivateKey) s -= 1000;
  return s;
}

/** Index of the best certificate for the role among `certs` (first on ties), or -1. */
export function bestForRole<T extends CertLike>(certs: T[], role: string): number {
  let best = -1;
  let score = -Infinity;
  certs.forEach((c, i) => {
    const s = roleScore(c, role);
    if (s > score) {
      best = i;
      score = s;
    }
  });
  return best;
}
