/** Offline administration of axis links (`kyso server axis add|list|status|remove`). */
import { KysoError } from '../../main/api/errors.js';
import { displayUrl } from '../../main/net/fetch.js';
import type { Repo } from '../db/repo.js';
import { AxisRepo, type LinkStatus } from './repo.js';
import { describeRef, vetRef } from './secrets.js';
import { AXIS_KINDS, linkConfigSchema, type AxisKind, type AxisLink, type LinkConfig, type SecretRef } from './types.js';

/** What `axis add` is given. */
export interface AddLinkInput {
  name?: string;
  kind: string;
  endpoint: string;
  systemId?: string;
  clientId?: string;
  secret: SecretRef;
  secretId?: SecretRef;
  config?: Partial<LinkConfig>;
}

/** A link as listed: its settings and the references of its credentials (never values). */
export interface LinkView {
  name: string;
  kind: AxisKind;
  endpoint: string;
  systemId?: string;
  clientId?: string;
  secret: string;
  secretId?: string;
  config: LinkConfig;
  createdAt: string;
}

async function axisRepo(repo: Repo): Promise<AxisRepo> {
  return new AxisRepo(repo.db);
}

/** Adds a link after checking its settings and credential references; returns warnings (e.g. a variable not set in this shell). */
export async function addAxisLink(repo: Repo, dataDir: string, input: AddLinkInput): Promise<{ link: LinkView; warnings: { key: string; name: string }[] }> {
  if (!(AXIS_KINDS as readonly string[]).includes(input.kind)) throw new KysoError('cliInvalidValue', { option: '--kind', value: input.kind, allowed: AXIS_KINDS.join('|') });
  const kind = input.kind as AxisKind;
  let url: URL;
  try {
    url = new URL(input.endpoint);
  } catch {
    throw new KysoError('netBadUrl', { url: input.endpoint, detail: 'not a URL' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KysoError('netBadUrl', { url: displayUrl(url), detail: `${url.protocol} is not http(s)` });
  if (url.username || url.password) throw new KysoError('netBadUrl', { url: displayUrl(url), detail: 'credentials in the URL are not accepted' });
  if (kind === 'vxp' && !input.systemId) throw new KysoError('cliMissingValue', { option: '--system-id' });
  if (kind === 'lgsp' && !input.clientId) throw new KysoError('cliMissingValue', { option: '--client-id' });
  if (kind === 'lgsp' && !input.secretId) throw new KysoError('cliMissingValue', { option: '--secret-id-env' });
  const name = input.name ?? kind;
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(name)) throw new KysoError('cliInvalidValue', { option: '--name', value: name, allowed: 'a-z 0-9 . _ -' });
  const warnings: { key: string; name: string }[] = [];
  for (const ref of [input.secret, ...(input.secretId ? [input.secretId] : [])]) {
    if (vetRef(ref, dataDir) === 'unsetInThisShell') warnings.push({ key: 'axis.warnUnset', name: 'env' in ref ? ref.env : '' });
  }
  const config = linkConfigSchema.parse({ ...input.config, ...(input.systemId ? { systemId: input.systemId } : {}), ...(input.clientId ? { clientId: input.clientId } : {}) });
  const r = await axisRepo(repo);
  if (await r.link(name)) throw new KysoError('axisLinkExists', { name });
  const link: Omit<AxisLink, 'createdAt'> = { name, kind, endpoint: url.toString().replace(/\/$/, ''), config, secrets: { secret: input.secret, ...(input.secretId ? { secretId: input.secretId } : {}) } };
  await r.addLink(link);
  await repo.audit({ actorOrg: null, actorUser: null, action: 'admin.axis.add', target: name, detail: { kind, endpoint: link.endpoint, secret: describeRef(input.secret), ...(input.secretId ? { secretId: describeRef(input.secretId) } : {}) } });
  return { link: view({ ...link, createdAt: new Date().toISOString() }), warnings };
}

function view(l: AxisLink): LinkView {
  return {
    name: l.name, kind: l.kind, endpoint: l.endpoint, ...(l.config.systemId ? { systemId: l.config.systemId } : {}), ...(l.config.clientId ? { clientId: l.config.clientId } : {}),
    secret: describeRef(l.secrets.secret), ...(l.secrets.secretId ? { secretId: describeRef(l.secrets.secretId) } : {}), config: l.config, createdAt: l.createdAt,
  };
}

/** The configured links (references only). */
export async function listAxisLinks(repo: Repo): Promise<LinkView[]> {
  return (await (await axisRepo(repo)).links()).map(view);
}

/** Health and queue of the links. */
export async function axisStatus(repo: Repo): Promise<LinkStatus[]> {
  return (await axisRepo(repo)).status();
}

/** Removes a link; refused while relays are waiting unless `force` (they are then kept as dead). */
export async function removeAxisLink(repo: Repo, name: string, force = false): Promise<void> {
  const r = await axisRepo(repo);
  if (!(await r.link(name))) throw new KysoError('axisLinkUnknown', { name });
  const pending = (await r.status()).find((s) => s.link === name)?.queue.pending ?? 0;
  if (pending && !force) throw new KysoError('axisLinkBusy', { name, pending });
  await r.removeLink(name);
  await repo.audit({ actorOrg: null, actorUser: null, action: 'admin.axis.remove', target: name, detail: { pendingMadeDead: pending } });
}
