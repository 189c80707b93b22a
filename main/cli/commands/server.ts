/**
 * `kyso server`: runs the reference inbox server; `kyso server org add|list`,
 * `kyso server user add`, `kyso server audit` and `kyso server axis add|list|status|remove`
 * (server-axis.ts) administer its data directory (offline, no passwords anywhere).
 */
import { readFileSync } from 'node:fs';
import { KysoError } from '../../api/errors.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { axis } from './server-axis.js';
import { DB, need } from './server-options.js';
import { startServer } from '../../../server/app.js';
import { openRepo } from '../../../server/store.js';
import { intOption } from '../args.js';
import { tr, type CliIo } from '../io.js';
import { defineCommand, strs, type CommandSpec, type ParsedArgs } from '../spec.js';


async function runServer({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const certFile = o['tls-cert'] as string | undefined;
  const keyFile = o['tls-key'] as string | undefined;
  if (!!certFile !== !!keyFile) throw new KysoError('cliMissingValue', { option: certFile ? '--tls-key' : '--tls-cert' });
  const revocation = (o.revocation as string | undefined) ?? 'require';
  if (revocation !== 'require' && revocation !== 'best-effort') throw new KysoError('cliInvalidValue', { option: '--revocation', value: revocation, allowed: 'require|best-effort' });
  const maxPkg = intOption(o, 'max-package-bytes', 1, Number.MAX_SAFE_INTEGER);
  const server = await startServer({
    dataDir: need(o.data, '--data'),
    port: intOption(o, 'port', 0, 65_535) ?? 8787,
    host: (o.host as string | undefined) ?? '127.0.0.1',
    ...(o.db ? { db: o.db as string } : {}),
    trustFiles: strs(o, 'trust'),
    crlFiles: strs(o, 'crl'),
    offline: o.offline === true,
    revocation,
    ...(certFile && keyFile ? { tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } } : {}),
    ...(maxPkg ? { limits: { maxPackageBytes: maxPkg } } : {}),
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

async function runOrg(verb: 'add' | 'list', { options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const repo = await openRepo(need(o.data, '--data'), o.db ? { db: o.db as string } : {});
  try {
    if (verb === 'add') {
      const code = need(o.code, '--code');
      const name = need(o.name, '--name');
      await addOrg(repo, { code, name, parent: (o.parent as string | undefined) ?? null });
      io.out(o.json ? JSON.stringify({ code, name }) + '\n' : tr(io, 'server.orgAdded', { code, name }) + '\n');
      return 0;
    }
    const orgs = await repo.orgs();
    io.out(o.json ? JSON.stringify(orgs) + '\n' : orgs.map((g) => `${g.code}\t${g.name}\t${g.parent ?? ''}`).join('\n') + '\n');
    return 0;
  } finally {
    await repo.db.close();
  }
}

async function runUser({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const repo = await openRepo(need(o.data, '--data'), o.db ? { db: o.db as string } : {});
  try {
    const org = need(o.org, '--org');
    const u = await addUser(repo, org, need(o.cert, '--cert'));
    io.out(o.json ? JSON.stringify({ ...u, org }) + '\n' : tr(io, 'server.userAdded', { id: u.id, subject: u.subject, org }) + '\n');
    return 0;
  } finally {
    await repo.db.close();
  }
}

async function runAudit({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const repo = await openRepo(need(o.data, '--data'), o.db ? { db: o.db as string } : {});
  try {
    const trail = await repo.auditTrail(intOption(o, 'limit', 1, 1_000_000) ?? 1000);
    io.out(o.json ? JSON.stringify(trail) + '\n' : trail.map((e) => [e.at, e.actorOrg ?? '-', e.actorUser ?? '-', e.action, e.target ?? '-', JSON.stringify(e.detail)].join('\t')).join('\n') + '\n');
    return 0;
  } finally {
    await repo.db.close();
  }
}

const org: CommandSpec = {
  name: 'org',
  summaryKey: 'cli.sub.server.org',
  subcommands: [
    {
      name: 'add',
      summaryKey: 'cli.sub.server.org.add',
      options: {
        ...DB,
        code: { type: 'string', value: 'CODE', help: 'cli.opt.server.org.code' },
        name: { type: 'string', value: 'NAME', help: 'cli.opt.server.org.name' },
        parent: { type: 'string', value: 'CODE', help: 'cli.opt.server.org.parent' },
      },
      examples: ['kyso server org add --data /srv/kyso --code 000.00.00.H49 --name "UBND tỉnh Lào Cai"', 'kyso server org add --data /srv/kyso --code 000.00.01.H49 --name "Sở Tư pháp" --parent 000.00.00.H49'],
      run: (a, io) => runOrg('add', a, io),
    },
    { name: 'list', summaryKey: 'cli.sub.server.org.list', options: DB, examples: ['kyso server org list --data /srv/kyso --json'], run: (a, io) => runOrg('list', a, io) },
  ],
};

const user: CommandSpec = {
  name: 'user',
  summaryKey: 'cli.sub.server.user',
  subcommands: [
    {
      name: 'add',
      summaryKey: 'cli.sub.server.user.add',
      options: {
        ...DB,
        org: { type: 'string', value: 'CODE', help: 'cli.opt.server.user.org' },
        cert: { type: 'string', value: 'FILE', help: 'cli.opt.server.user.cert' },
      },
      examples: ['kyso server user add --data /srv/kyso --org 000.00.01.H49 --cert nguyen-van-an.pem'],
      run: runUser,
    },
  ],
};

const audit: CommandSpec = {
  name: 'audit',
  summaryKey: 'cli.sub.server.audit',
  options: { ...DB, limit: { type: 'string', value: 'N', help: 'cli.opt.server.audit.limit' } },
  examples: ['kyso server audit --data /srv/kyso --limit 50'],
  run: runAudit,
};

/** The `server` subcommand: runs the server, or administers its data with a subcommand. */
export const serverCommand = defineCommand({
  name: 'server',
  summaryKey: 'cli.cmd.server',
  options: {
    ...DB,
    port: { type: 'string', value: 'N', help: 'cli.opt.server.port' },
    host: { type: 'string', value: 'ADDRESS', help: 'cli.opt.server.host' },
    trust: { type: 'string', multiple: true, value: 'ROOT.pem', help: 'cli.opt.server.trust' },
    crl: { type: 'string', multiple: true, value: 'FILE', help: 'cli.opt.server.crl' },
    'tls-cert': { type: 'string', value: 'FILE', help: 'cli.opt.server.tls-cert' },
    'tls-key': { type: 'string', value: 'FILE', help: 'cli.opt.server.tls-key' },
    offline: { type: 'boolean', help: 'cli.opt.server.offline' },
    revocation: { type: 'string', value: 'require|best-effort', help: 'cli.opt.server.revocation' },
    'max-package-bytes': { type: 'string', value: 'N', help: 'cli.opt.server.max-package-bytes' },
  },
  examples: [
    'kyso server --data /srv/kyso --trust root-ca.pem',
    'kyso server --data /srv/kyso --db postgres://kyso@localhost/kyso --host 0.0.0.0 --port 8443 --tls-cert server.pem --tls-key server.key --trust root-ca.pem',
  ],
  subcommands: [org, user, audit, axis],
  run: runServer,
});
