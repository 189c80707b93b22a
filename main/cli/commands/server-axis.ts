/**
 * `kyso server axis add|list|status|remove`: the server's links to the national document
 * axis (VXP) or a provincial platform (LGSP). Credentials are given as the name of an
 * environment variable or the path of a file and stored as such (server/axis/secrets.ts);
 * no value is ever printed. Works offline on the data directory, also while the server runs
 * (it picks new links up on its next poll).
 */
import { KysoError } from '../../api/errors.js';
import { addAxisLink, axisStatus, listAxisLinks, removeAxisLink } from '../../../server/axis/admin.js';
import type { SecretRef } from '../../../server/axis/types.js';
import { openRepo } from '../../../server/store.js';
import { intOption } from '../args.js';
import { tr, type CliIo } from '../io.js';
import { str, type CommandSpec, type ParsedArgs } from '../spec.js';
import { DB, need } from './server-options.js';

/** A credential reference from `--X-env` or `--X-file` (exactly one). */
function ref(o: ParsedArgs['options'], base: string): SecretRef | undefined {
  const env = str(o, `${base}-env`);
  const file = str(o, `${base}-file`);
  if (env && file) throw new KysoError('cliConflict', { a: `--${base}-env`, b: `--${base}-file` });
  return env ? { env } : file ? { file } : undefined;
}

async function withRepo<T>(o: ParsedArgs['options'], fn: (repo: Awaited<ReturnType<typeof openRepo>>, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = need(o.data, '--data');
  const repo = await openRepo(dataDir, o.db ? { db: o.db as string } : {});
  try {
    return await fn(repo, dataDir);
  } finally {
    await repo.db.close();
  }
}

async function runAdd({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const secret = ref(o, 'secret');
  if (!secret) throw new KysoError('cliMissingValue', { option: '--secret-env | --secret-file' });
  const secretId = ref(o, 'secret-id');
  const poll = intOption(o, 'poll', 1, 86_400);
  const basePath = str(o, 'base-path');
  return withRepo(o, async (repo, dataDir) => {
    const r = await addAxisLink(repo, dataDir, {
      ...(str(o, 'name') ? { name: str(o, 'name')! } : {}),
      kind: need(o.kind, '--kind'),
      endpoint: need(o.endpoint, '--endpoint'),
      ...(str(o, 'system-id') ? { systemId: str(o, 'system-id')! } : {}),
      ...(str(o, 'client-id') ? { clientId: str(o, 'client-id')! } : {}),
      secret,
      ...(secretId ? { secretId } : {}),
      config: { ...(poll ? { pollMs: poll * 1000 } : {}), ...(basePath ? { basePath } : {}), ...(o['require-signed-answers'] === true ? { requireSignedAnswers: true } : {}) },
    });
    for (const w of r.warnings) io.err(tr(io, w.key, { name: w.name }) + '\n');
    io.out(o.json ? JSON.stringify(r.link) + '\n' : tr(io, 'axis.added', { name: r.link.name, kind: r.link.kind, endpoint: r.link.endpoint, ref: r.link.secret }) + '\n');
    return 0;
  });
}

async function runList({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  return withRepo(o, async (repo) => {
    const links = await listAxisLinks(repo);
    if (o.json) io.out(JSON.stringify(links) + '\n');
    else if (!links.length) io.out(tr(io, 'axis.none') + '\n');
    else io.out(links.map((l) => [l.name, l.kind, l.endpoint, l.systemId ?? l.clientId ?? '-', l.secret, l.secretId ?? ''].join('\t').trimEnd()).join('\n') + '\n');
    return 0;
  });
}

async function runStatus({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  return withRepo(o, async (repo) => {
    const all = await axisStatus(repo);
    if (o.json) {
      io.out(JSON.stringify(all) + '\n');
      return 0;
    }
    if (!all.length) {
      io.out(tr(io, 'axis.none') + '\n');
      return 0;
    }
    const never = tr(io, 'axis.never');
    for (const s of all) {
      io.out(tr(io, 'axis.status.link', { name: s.link, kind: s.kind, endpoint: s.endpoint }) + '\n');
      io.out(tr(io, 'axis.status.health', { ok: s.lastOkAt ?? never, error: s.lastError ? `${s.lastError} (${s.lastErrorAt})` : '-' }) + '\n');
      io.out(tr(io, 'axis.status.directory', { count: s.agencies, at: s.agenciesAt ?? never }) + '\n');
      io.out(tr(io, 'axis.status.queue', { pending: s.queue.pending, sent: s.queue.sent, dead: s.queue.dead, next: s.queue.nextRetryAt ?? '-', error: s.queue.lastError ?? '-' }) + '\n');
      io.out(tr(io, 'axis.status.inbound', { delivered: s.inbound.delivered, refused: s.inbound.refused, pending: s.inbound.pending, error: s.inbound.lastError ?? '-' }) + '\n');
    }
    return 0;
  });
}

async function runRemove({ options: o, positionals }: ParsedArgs, io: CliIo): Promise<number> {
  const name = positionals[0];
  if (!name) throw new KysoError('cliMissingValue', { option: 'NAME' });
  return withRepo(o, async (repo) => {
    await removeAxisLink(repo, name, o.force === true);
    io.out(o.json ? JSON.stringify({ removed: name }) + '\n' : tr(io, 'axis.removed', { name }) + '\n');
    return 0;
  });
}

/** `kyso server axis`. */
export const axis: CommandSpec = {
  name: 'axis',
  summaryKey: 'cli.sub.server.axis',
  subcommands: [
    {
      name: 'add',
      summaryKey: 'cli.sub.server.axis.add',
      options: {
        ...DB,
        name: { type: 'string', value: 'NAME', help: 'cli.opt.server.axis.name' },
        kind: { type: 'string', value: 'vxp|lgsp', help: 'cli.opt.server.axis.kind' },
        endpoint: { type: 'string', value: 'URL', help: 'cli.opt.server.axis.endpoint' },
        'system-id': { type: 'string', value: 'ID', help: 'cli.opt.server.axis.system-id' },
        'client-id': { type: 'string', value: 'ID', help: 'cli.opt.server.axis.client-id' },
        'secret-env': { type: 'string', value: 'VAR', help: 'cli.opt.server.axis.secret-env' },
        'secret-file': { type: 'string', value: 'FILE', help: 'cli.opt.server.axis.secret-file' },
        'secret-id-env': { type: 'string', value: 'VAR', help: 'cli.opt.server.axis.secret-id-env' },
        'secret-id-file': { type: 'string', value: 'FILE', help: 'cli.opt.server.axis.secret-id-file' },
        'base-path': { type: 'string', value: 'PATH', help: 'cli.opt.server.axis.base-path' },
        poll: { type: 'string', value: 'N', help: 'cli.opt.server.axis.poll' },
        'require-signed-answers': { type: 'boolean', help: 'cli.opt.server.axis.require-signed-answers' },
      },
      noteKey: 'cli.note.server.axis.add',
      examples: [
        'kyso server axis add --data /srv/kyso --kind vxp --endpoint https://truc.example.gov.vn/vxp --system-id kyso.h49 --secret-file /etc/kyso/vxp.secret',
        'kyso server axis add --data /srv/kyso --kind lgsp --endpoint https://lgsp.example.gov.vn --client-id kyso-h49 --secret-env KYSO_LGSP_SECRET --secret-id-env KYSO_LGSP_SECRET_ID',
      ],
      run: runAdd,
    },
    { name: 'list', summaryKey: 'cli.sub.server.axis.list', options: DB, examples: ['kyso server axis list --data /srv/kyso'], run: runList },
    { name: 'status', summaryKey: 'cli.sub.server.axis.status', options: DB, examples: ['kyso server axis status --data /srv/kyso --json'], run: runStatus },
    {
      name: 'remove',
      summaryKey: 'cli.sub.server.axis.remove',
      args: 'NAME',
      options: { ...DB, force: { type: 'boolean', help: 'cli.opt.server.axis.force' } },
      examples: ['kyso server axis remove --data /srv/kyso vxp'],
      run: runRemove,
    },
  ],
};
