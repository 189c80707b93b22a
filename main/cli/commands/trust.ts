/** `kyso trust add FILE | list [--json] | remove FINGERPRINT`: the admin trust store in KYSO_HOME/trust. */
import { KysoError } from '../../api/errors.js';
import { kysoHome } from '../../services/paths.js';
import { addTrustFiles, trustList, trustRemove } from '../../services/verify.js';
import { tr } from '../io.js';
import { defineCommand } from '../spec.js';

const json = { json: { type: 'boolean', help: 'cli.opt.json' } } as const;

/** The `trust` subcommand. */
export const trustCommand = defineCommand({
  name: 'trust',
  summaryKey: 'cli.cmd.trust',
  exitCodes: { trustBadFile: 2 },
  subcommands: [
    {
      name: 'add',
      summaryKey: 'cli.sub.trust.add',
      args: 'FILE...',
      options: json,
      examples: ['kyso trust add root-ca.pem', 'kyso trust add chuoi-chung-thu.p7b --json'],
      async run({ options, positionals }, io) {
        if (positionals.length === 0) throw new KysoError('trustBadFile');
        const added = addTrustFiles(kysoHome(io.env), positionals);
        if (options.json) io.out(JSON.stringify({ added }, null, 2) + '\n');
        else for (const e of added) io.out(tr(io, 'trust.added', { subject: e.subject, fingerprint: e.fingerprint }) + '\n');
        return 0;
      },
    },
    {
      name: 'list',
      summaryKey: 'cli.sub.trust.list',
      options: json,
      examples: ['kyso trust list', 'kyso trust list --json'],
      async run({ options }, io) {
        const list = trustList(kysoHome(io.env));
        if (options.json) io.out(JSON.stringify({ anchors: list }, null, 2) + '\n');
        else if (list.length === 0) io.out(tr(io, 'trust.empty') + '\n');
        else for (const e of list) io.out(`${e.fingerprint}  ${e.subject}  ${e.notBefore.slice(0, 10)} – ${e.notAfter.slice(0, 10)}\n`);
        return 0;
      },
    },
    {
      name: 'remove',
      summaryKey: 'cli.sub.trust.remove',
      args: 'FINGERPRINT',
      examples: ['kyso trust remove 3f2a9c41d0e7'],
      async run({ positionals }, io) {
        const removed = trustRemove(kysoHome(io.env), positionals[0] ?? '');
        for (const e of removed) io.out(tr(io, 'trust.removed', { subject: e.subject }) + '\n');
        return 0;
      },
    },
  ],
});
