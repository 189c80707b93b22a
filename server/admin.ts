/** Offline administration of a server data directory: organization directory and users. */
import { KysoError } from '../main/api/errors.js';
import { ORGAN_ID_PATTERN } from '../main/exchange/protocol.js';
import { certView } from '../main/pki/cert.js';
import { readCertFile } from '../main/pki/cert-file.js';
import { sha256hex } from './auth.js';
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

/** Binds a certificate file (PEM, DER or P7B; the first certificate) to a new user of an organization. */
export async function addUser(repo: Repo, orgCode: string, certFile: string): Promise<{ id: number; subject: string }> {
  if (!(await repo.org(orgCode))) throw new KysoError('exOrgUnknown', { code: orgCode });
  const der = readCertFile(certFile)[0]!;
  const view = certView(der);
  const fp = sha256hex(der);
  if (await repo.userByCert(fp)) throw new KysoError('exUserExists');
  const id = await repo.addUser({ orgCode, certSha256: fp, subject: view.subject, certDer: der.toString('base64') });
  await repo.audit({ actorOrg: null, actorUser: null, action: 'admin.user.add', target: orgCode, detail: { userId: id, certSha256: fp } });
  return { id, subject: view.subject };
}
