/** Offline administration of a server data directory: organization directory and users. */
import { KysoError } from '../main/api/errors.js';
import { ORGAN_ID_PATTERN } from '../main/exchange/protocol.js';
import { certView, type CertView } from '../main/pki/cert.js';
import { readCertFile } from '../main/pki/cert-file.js';
import { buildChain } from '../main/pki/chain.js';
import { sha256hex } from './auth.js';
import { notifyServers } from './bus.js';
import type { Repo } from './db/repo.js';

/** Adds an organization to the directory (parent must exist). */
export async function addOrg(repo: Repo, o: { code: string; name: string; parent?: string | null }): Promise<void> {
  if (!ORGAN_ID_PATTERN.test(o.code)) throw new KysoError('exBadOrgCode', { code: o.code });
  if (!o.name.trim()) throw new KysoError('exBadRequest', { reason: 'empty name' });
  if (await repo.org(o.code)) throw new KysoError('exOrgExists', { code: o.code });
  if (o.parent && !(await repo.org(o.parent))) throw new KysoError('exOrgUnknown', { code: o.parent });
  await repo.addOrg({ code: o.code, name: o.name.trim(), parent: o.parent ?? null });
  await repo.audit({ actorOrg: null, actorUser: null, action: 'admin.org.add', target: o.code, detail: { parent: o.parent ?? null } });
}

/** How `addUser` vets the certificate (what `kyso server user add` does). */
export interface UserCertVetting {
  /** The anchors the server will trust (DATA/trust and --trust files). */
  anchors: Buffer[];
  /** Add the user even when the certificate cannot log in (the problems come back as warnings). */
  force?: boolean;
  now?: Date;
}

/**
 * Why a certificate could not log in: outside its validity, or no path to the server's
 * anchors (intermediates from the file itself, else from the certificate's AIA). Revocation
 * is left to login, where it is checked every time.
 */
export async function userCertProblems(view: CertView, pool: Buffer[], anchors: Buffer[], now = new Date()): Promise<KysoError[]> {
  const problems: KysoError[] = [];
  if (now < new Date(view.x.validFrom) || now > new Date(view.x.validTo)) {
    problems.push(new KysoError('serverUserCertExpired', { subject: view.subject, notBefore: view.x.validFrom, notAfter: view.x.validTo }));
  }
  const { path } = await buildChain({ leaf: view, pool, anchors, offline: false });
  if (!path) problems.push(new KysoError('serverUserCertUntrusted', { subject: view.subject }));
  return problems;
}

/**
 * Binds a certificate file (PEM, DER or P7B; the first certificate, the others as its chain) to a
 * new user of an organization. With `vet`, a certificate that could not log in (expired, not
 * yet valid, no path to the anchors) is refused unless `vet.force`, which adds it and returns
 * the problems as warnings.
 */
export async function addUser(repo: Repo, orgCode: string, certFile: string, vet?: UserCertVetting): Promise<{ id: number; subject: string; warnings: KysoError[] }> {
  if (!(await repo.org(orgCode))) throw new KysoError('exOrgUnknown', { code: orgCode });
  // The first certificate is the user's; the others (a PEM bundle, a P7B) its chain.
  const [der, ...chain] = readCertFile(certFile) as [Buffer, ...Buffer[]];
  const view = certView(der);
  const fp = sha256hex(der);
  if (await repo.userByCert(fp)) throw new KysoError('exUserExists');
  const warnings = vet ? await userCertProblems(view, chain, vet.anchors, vet.now) : [];
  if (warnings.length && !vet?.force) throw warnings[0]!;
  const id = await repo.addUser({ orgCode, certSha256: fp, subject: view.subject, certDer: der.toString('base64') });
  await repo.audit({ actorOrg: null, actorUser: null, action: 'admin.user.add', target: orgCode, detail: { userId: id, certSha256: fp, ...(warnings.length ? { forced: warnings.map((w) => w.code) } : {}) } });
  return { id, subject: view.subject, warnings };
}

/**
 * Disables a user (kept, with its certificate, for the audit trail): its sessions end now and
 * with them its event streams, on every instance (PostgreSQL notice; an SQLite server ends
 * the streams at their next check, within the ping period).
 */
export async function disableUser(repo: Repo, userId: number): Promise<void> {
  const u = await repo.userById(userId);
  if (!u || !(await repo.disableUser(userId))) throw new KysoError('exNotFound', { what: `user ${userId}` });
  const sessions = await repo.deleteSessionsOf(userId);
  await notifyServers(repo.db, { kind: 'user', userId, certSha256: u.certSha256 });
  await repo.audit({ actorOrg: null, actorUser: null, action: 'admin.user.disable', target: String(userId), detail: { sessions } });
}

/**
 * Removes a user: the certificate no longer logs in (it may be bound again later), its
 * sessions and streams end as for disableUser; messages and the audit trail keep its id.
 */
export async function removeUser(repo: Repo, userId: number): Promise<void> {
  const u = await repo.userById(userId);
  if (!u || !(await repo.deleteUser(userId))) throw new KysoError('exNotFound', { what: `user ${userId}` });
  await notifyServers(repo.db, { kind: 'user', userId, certSha256: u.certSha256 });
  await repo.audit({ actorOrg: u.orgCode, actorUser: null, action: 'admin.user.remove', target: String(userId), detail: { certSha256: u.certSha256, subject: u.subject } });
}
