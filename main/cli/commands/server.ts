/**
 * `kyso server`: runs the reference inbox server; `kyso server org add|list`,
 * `kyso server user add|list|disable|remove`, `kyso server audit`, `kyso server sweep` and
 * `kyso server axis add|list|status|remove` (server-axis.ts) administer its data directory
 * (offline, no passwords anywhere).
 */
import { readFileSync } from 'node:fs';
import { KysoError } from '../../api/errors.js';
import { addOrg, addUser, disableUser, removeUser } from '../../../server/admin.js';
import { axis } from './server-axis.js';
import { DB, need } from './server-options.js';
import { startServer } from '../../../server/app.js';
import { chosenBlobs } from '../../../server/blobs/choice.js';
import { openBlobStore } from '../../../server/blobs/open.js';
import { blobReferences } from '../../../server/blobs/refs.js';
import { DEFAULT_SWEEP, sweepOrphans } from '../../../server/blobs/sweeper.js';
import { loadAnchors, openRepo } from '../../../server/store.js';
import { errorText } from '../../../resources/locales/index.js';
import { intOption } from '../args.js';
import { tr, type CliIo } from '../io.js';
import { defineCommand, strs, type CommandSpec, type OptionSpecs, type ParsedArgs } from '../spec.js';

/** A grace period shorter than this could sweep an upload still being registered. */
const MIN_GRACE_S = 600;

/** How long a stopping server lets requests in flight (uploads) finish, by default. */
const DEFAULT_DRAIN_S = 30;

/** `--metrics`: PORT (on 127.0.0.1), ADDRESS:PORT or [IPv6]:PORT. */
function metricsOption(v: unknown): { host: string; port: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(String(v));
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65_535) throw new KysoError('cliInvalidValue', { option: '--metrics', value: String(v), allowed: 'PORT|ADDRESS:PORT' });
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

async function runServer({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const certFile = o['tls-cert'] as string | undefined;
  const keyFile = o['tls-key'] as string | undefined;
  if (!!certFile !== !!keyFile) throw new KysoError('cliMissingValue', { option: certFile ? '--tls-key' : '--tls-cert' });
  const revocation = (o.revocation as string | undefined) ?? 'require';
  if (revocation !== 'require' && revocation !== 'best-effort') throw new KysoError('cliInvalidValue', { option: '--revocation', value: revocation, allowed: 'require|best-effort' });
  const maxPkg = intOption(o, 'max-package-bytes', 1, Number.MAX_SAFE_INTEGER);
  const sweepEvery = intOption(o, 'sweep-interval', 0, 30 * 86_400) ?? DEFAULT_SWEEP.intervalMs / 1000;
  const sweepGrace = intOption(o, 'sweep-grace', MIN_GRACE_S, 365 * 86_400) ?? DEFAULT_SWEEP.graceMs / 1000;
  const drainS = intOption(o, 'drain-timeout', 0, 24 * 3600) ?? DEFAULT_DRAIN_S;
  const perAddress = intOption(o, 'connections-per-address', 0, 1_000_000);
  const metrics = metricsOption(o.metrics);
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
    ...(o.blobs ? { blobs: o.blobs as string } : {}),
    env: io.env,
    sweep: sweepEvery === 0 ? false : { intervalMs: sweepEvery * 1000, graceMs: sweepGrace * 1000 },
    trustedProxies: strs(o, 'trusted-proxy'),
    // 0: no cap (a load balancer that is not a --trusted-proxy, a benchmark on loopback).
    ...(perAddress !== undefined ? { caps: { connectionsPerAddress: perAddress || Number.MAX_SAFE_INTEGER } } : {}),
    ...(metrics ? { metrics } : {}),
  });
  io.out(o.json ? JSON.stringify({ url: server.url, port: server.port, ...(server.metricsUrl ? { metrics: server.metricsUrl } : {}) }) + '\n' : tr(io, 'server.listening', { url: server.url }) + '\n');
  // SIGTERM/SIGINT: drain (uploads in flight finish within --drain-timeout, streams told to
  // reconnect elsewhere); a second signal stops at once.
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.once('SIGINT', () => void server.close().then(resolve));
      process.once('SIGTERM', () => void server.close().then(resolve));
      void server.shutdown(drainS * 1000).then(() => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
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
  const data = need(o.data, '--data');
  const repo = await openRepo(data, o.db ? { db: o.db as string } : {});
  try {
    const org = need(o.org, '--org');
    // A certificate that could not log in (expired, untrusted CA) is refused unless --force.
    const vet = { anchors: loadAnchors(data, strs(o, 'trust')), force: o.force === true };
    const u = await addUser(repo, org, need(o.cert, '--cert'), vet);
    for (const w of u.warnings) io.err(tr(io, 'server.userWarning', { text: errorText(io.lang, w) }) + '\n');
    io.out(o.json ? JSON.stringify({ id: u.id, subject: u.subject, org, warnings: u.warnings.map((w) => w.code) }) + '\n' : tr(io, 'server.userAdded', { id: u.id, subject: u.subject, org }) + '\n');
    return 0;
  } finally {
    await repo.db.close();
  }
}

/** `kyso server user list|disable|remove`. */
async function runUserAdmin(verb: 'list' | 'disable' | 'remove', { options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const repo = await openRepo(need(o.data, '--data'), o.db ? { db: o.db as string } : {});
  try {
    if (verb === 'list') {
      const users = await repo.users(o.org as string | undefined);
      const rows = users.map((u) => ({ id: u.id, org: u.orgCode, subject: u.subject, certSha256: u.certSha256, disabled: u.disabled }));
      io.out(o.json ? JSON.stringify(rows) + '\n' : rows.map((u) => [u.id, u.org, u.disabled ? 'disabled' : 'enabled', u.subject].join('\t')).join('\n') + (rows.length ? '\n' : ''));
      return 0;
    }
    const id = intOption(o, 'id', 1, Number.MAX_SAFE_INTEGER);
    if (id === undefined) throw new KysoError('cliMissingValue', { option: '--id' });
    await (verb === 'disable' ? disableUser(repo, id) : removeUser(repo, id));
    io.out(o.json ? JSON.stringify({ id, [verb === 'disable' ? 'disabled' : 'removed']: true }) + '\n' : tr(io, verb === 'disable' ? 'server.userDisabled' : 'server.userRemoved', { id }) + '\n');
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

/** `kyso server sweep`: one orphan sweep of the data directory's blob store (cron, or after an incident). */
async function runSweep({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const data = need(o.data, '--data');
  const grace = intOption(o, 'grace', MIN_GRACE_S, 365 * 86_400) ?? DEFAULT_SWEEP.graceMs / 1000;
  const repo = await openRepo(data, o.db ? { db: o.db as string } : {});
  try {
    const store = await openBlobStore(chosenBlobs(data, o.blobs as string | undefined), data, io.env);
    const r = await sweepOrphans(store, blobReferences(repo.db), { graceMs: grace * 1000, dryRun: o['dry-run'] === true });
    io.out(o.json ? JSON.stringify({ store: store.location, dryRun: o['dry-run'] === true, ...r }) + '\n' : tr(io, o['dry-run'] ? 'server.sweepDry' : 'server.swept', { store: store.location, ...r }) + '\n');
    return 0;
  } finally {
    await repo.db.close();
  }
}

const BLOBS: OptionSpecs = { blobs: { type: 'string', value: 'local|s3://BUCKET/PREFIX', help: 'cli.opt.server.blobs' } };

const sweep: CommandSpec = {
  name: 'sweep',
  summaryKey: 'cli.sub.server.sweep',
  options: {
    ...DB,
    ...BLOBS,
    grace: { type: 'string', value: 'SECONDS', help: 'cli.opt.server.sweep.grace' },
    'dry-run': { type: 'boolean', help: 'cli.opt.server.sweep.dry-run' },
  },
  examples: ['kyso server sweep --data /srv/kyso --dry-run', 'kyso server sweep --data /srv/kyso --grace 86400 --json'],
  run: runSweep,
};

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
        trust: { type: 'string', multiple: true, value: 'ROOT.pem', help: 'cli.opt.server.user.trust' },
        force: { type: 'boolean', help: 'cli.opt.server.user.force' },
      },
      examples: ['kyso server user add --data /srv/kyso --org 000.00.01.H49 --cert nguyen-van-an.pem --trust root-ca.pem'],
      run: runUser,
    },
    {
      name: 'list',
      summaryKey: 'cli.sub.server.user.list',
      options: { ...DB, org: { type: 'string', value: 'CODE', help: 'cli.opt.server.user.list.org' } },
      examples: ['kyso server user list --data /srv/kyso --org 000.00.01.H49'],
      run: (a, io) => runUserAdmin('list', a, io),
    },
    {
      name: 'disable',
      summaryKey: 'cli.sub.server.user.disable',
      options: { ...DB, id: { type: 'string', value: 'N', help: 'cli.opt.server.user.id' } },
      examples: ['kyso server user disable --data /srv/kyso --id 12'],
      run: (a, io) => runUserAdmin('disable', a, io),
    },
    {
      name: 'remove',
      summaryKey: 'cli.sub.server.user.remove',
      options: { ...DB, id: { type: 'string', value: 'N', help: 'cli.opt.server.user.id' } },
      examples: ['kyso server user remove --data /srv/kyso --id 12'],
      run: (a, io) => runUserAdmin('remove', a, io),
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
    ...BLOBS,
    'sweep-interval': { type: 'string', value: 'SECONDS', help: 'cli.opt.server.sweep-interval' },
    'sweep-grace': { type: 'string', value: 'SECONDS', help: 'cli.opt.server.sweep-grace' },
    'trusted-proxy': { type: 'string', multiple: true, value: 'ADDRESS', help: 'cli.opt.server.trusted-proxy' },
    'connections-per-address': { type: 'string', value: 'N', help: 'cli.opt.server.connections-per-address' },
    metrics: { type: 'string', value: '[ADDRESS:]PORT', help: 'cli.opt.server.metrics' },
    'drain-timeout': { type: 'string', value: 'SECONDS', help: 'cli.opt.server.drain-timeout' },
  },
  examples: [
    'kyso server --data /srv/kyso --trust root-ca.pem',
    'kyso server --data /srv/kyso --db postgres://kyso@localhost/kyso --host 0.0.0.0 --port 8443 --tls-cert server.pem --tls-key server.key --trust root-ca.pem',
    'kyso server --data /srv/kyso --blobs s3://kyso-inbox/h49 --sweep-interval 3600 --sweep-grace 86400',
    'kyso server --data /srv/kyso --db postgres://kyso@db/kyso --blobs s3://kyso-inbox/h49 --trusted-proxy 10.0.0.2 --metrics 10.0.1.5:9464 --drain-timeout 60',
  ],
  subcommands: [org, user, audit, sweep, axis],
  run: runServer,
});
