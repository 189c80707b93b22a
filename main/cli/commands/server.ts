/**
 * `kyso server`: runs the reference inbox server; `kyso server org add|list`,
 * `kyso server user add` and `kyso server audit` administer its data directory (offline,
 * no passwords anywhere).
 */
import { readFileSync } from 'node:fs';
import { KysoError } from '../../api/errors.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer } from '../../../server/app.js';
import { loadAnchors, openRepo } from '../../../server/store.js';
import { errorText } from '../../../resources/locales/index.js';
import { intOption, parseArgs } from '../args.js';
import { tr, type CliIo, type Command } from '../io.js';

const DB = { data: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' } } as const;

function need(v: unknown, option: string): string {
  if (typeof v !== 'string' || !v) throw new KysoError('cliMissingValue', { option });
  return v;
}

async function runServer(argv: string[], io: CliIo): Promise<number> {
  const { options: o } = parseArgs(argv, {
    ...DB,
    port: { type: 'string' },
    host: { type: 'string' },
    trust: { type: 'string', multiple: true },
    crl: { type: 'string', multiple: true },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    offline: { type: 'boolean' },
    revocation: { type: 'string' },
    'max-package-bytes': { type: 'string' },
    'trusted-proxy': { type: 'string', multiple: true },
  });
  const certFile = o['tls-cert'] as string | undefined;
  const keyFile = o['tls-key'] as string | undefined;
  if (!!certFile !== !!keyFile) throw new KysoError('cliMissingValue', { option: certFile ? '--tls-key' : '--tls-cert' });
  const revocation = (o.revocation as string | undefined) ?? 'require';
  if (revocation !== 'require' && revocation !== 'best-effort') throw new KysoError('exBadRequest', { reason: '--revocation must be require or best-effort' });
  const maxPkg = intOption(o, 'max-package-bytes', 1, Number.MAX_SAFE_INTEGER);
  const server = await startServer({
    dataDir: need(o.data, '--data'),
    port: intOption(o, 'port', 0, 65_535) ?? 8787,
    host: (o.host as string | undefined) ?? '127.0.0.1',
    ...(o.db ? { db: o.db as string } : {}),
    trustFiles: (o.trust as string[] | undefined) ?? [],
    crlFiles: (o.crl as string[] | undefined) ?? [],
    offline: o.offline === true,
    revocation,
    ...(certFile && keyFile ? { tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } } : {}),
    ...(maxPkg ? { limits: { maxPackageBytes: maxPkg } } : {}),
    trustedProxies: (o['trusted-proxy'] as string[] | undefined) ?? [],
  });
  io.out(o.json ? JSON.stringify({ url: server.url, port: server.port }) + '\n' : tr(io, 'server.listening', { url: server.url }) + '\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}

async function runOrg(argv: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  const { options: o } = parseArgs(rest, { ...DB, code: { type: 'string' }, name: { type: 'string' }, parent: { type: 'string' } });
  const repo = await openRepo(need(o.data, '--data'), o.db ? { db: o.db as string } : {});
  try {
    if (verb === 'add') {
      const code = need(o.code, '--code');
      const name = need(o.name, '--name');
      await addOrg(repo, { code, name, parent: (o.parent as string | undefined) ?? null });
      io.out(o.json ? JSON.stringify({ code, name }) + '\n' : tr(io, 'server.orgAdded', { code, name }) + '\n');
      return 0;
    }
    if (verb === 'list') {
      const orgs = await repo.orgs();
      io.out(o.json ? JSON.stringify(orgs) + '\n' : orgs.map((g) => `${g.code}\t${g.name}\t${g.parent ?? ''}`).join('\n') + '\n');
      return 0;
    }
    throw new KysoError('cliUnknownOption', { option: verb ?? '' });
  } finally {
    await repo.db.close();
  }
}

async function runUser(argv: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  const { options: o } = parseArgs(rest, { ...DB, org: { type: 'string' }, cert: { type: 'string' }, trust: { type: 'string', multiple: true }, force: { type: 'boolean' } });
  if (verb !== 'add') throw new KysoError('cliUnknownOption', { option: verb ?? '' });
  const data = need(o.data, '--data');
  const repo = await openRepo(data, o.db ? { db: o.db as string } : {});
  try {
    const org = need(o.org, '--org');
    // A certificate that could not log in (expired, untrusted CA) is refused unless --force.
    const vet = { anchors: loadAnchors(data, (o.trust as string[] | undefined) ?? []), force: o.force === true };
    const u = await addUser(repo, org, need(o.cert, '--cert'), vet);
    for (const w of u.warnings) io.err(tr(io, 'server.userWarning', { text: errorText(io.lang, w) }) + '\n');
    io.out(o.json ? JSON.stringify({ id: u.id, subject: u.subject, org, warnings: u.warnings.map((w) => w.code) }) + '\n' : tr(io, 'server.userAdded', { id: u.id, subject: u.subject, org }) + '\n');
    return 0;
  } finally {
    await repo.db.close();
  }
}

async function runAudit(argv: string[], io: CliIo): Promise<number> {
  const { options: o } = parseArgs(argv, { ...DB, limit: { type: 'string' } });
  const repo = await openRepo(need(o.data, '--data'), o.db ? { db: o.db as string } : {});
  try {
    const trail = await repo.auditTrail(intOption(o, 'limit', 1, 1_000_000) ?? 1000);
    io.out(o.json ? JSON.stringify(trail) + '\n' : trail.map((e) => [e.at, e.actorOrg ?? '-', e.actorUser ?? '-', e.action, e.target ?? '-', JSON.stringify(e.detail)].join('\t')).join('\n') + '\n');
    return 0;
  } finally {
    await repo.db.close();
  }
}

/** The `server` subcommand. */
export const serverCommand: Command = {
  name: 'server',
  summaryKey: 'cli.cmd.server',
  async run(argv, io) {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.out(tr(io, 'server.usage') + '\n');
      return first === undefined ? 2 : 0;
    }
    if (first === 'org') return runOrg(rest, io);
    if (first === 'user') return runUser(rest, io);
    if (first === 'audit') return runAudit(rest, io);
    return runServer(argv, io);
  },
};
