/** `kyso trust add FILE | list [--json] | remove FINGERPRINT`: the admin trust store in KYSO_HOME/trust. */
import { KysoError } from '../../api/errors.js';
import { kysoHome } from '../../services/paths.js';
import { addTrustFiles, trustList, trustRemove } from '../../services/verify.js';
import { parseArgs } from '../args.js';
import { tr, type Command } from '../io.js';

/** The `trust` subcommand. */
export const trustCommand: Command = {
  name: 'trust',
  summaryKey: 'cli.cmd.trust',
  exitCodes: { trustUsage: 2, trustBadFile: 2 },
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const { options, positionals } = parseArgs(rest, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    const home = kysoHome(io.env);
    if (!sub || sub === '--help' || sub === '-h' || options.help) {
      io.out(tr(io, 'trust.usage') + '\n');
      return sub ? 0 : 2;
    }
    if (sub === 'add') {
      if (positionals.length === 0) throw new KysoError('trustBadFile');
      const added = addTrustFiles(home, positionals);
      if (options.json) io.out(JSON.stringify({ added }, null, 2) + '\n');
      else for (const e of added) io.out(tr(io, 'trust.added', { subject: e.subject, fingerprint: e.fingerprint }) + '\n');
      return 0;
    }
    if (sub === 'list') {
      const list = trustList(home);
      if (options.json) io.out(JSON.stringify({ anchors: list }, null, 2) + '\n');
      else if (list.length === 0) io.out(tr(io, 'trust.empty') + '\n');
      else for (const e of list) io.out(`${e.fingerprint}  ${e.subject}  ${e.notBefore.slice(0, 10)} – ${e.notAfter.slice(0, 10)}\n`);
      return 0;
    }
    if (sub === 'remove') {
      const removed = trustRemove(home, positionals[0] ?? '');
      for (const e of removed) io.out(tr(io, 'trust.removed', { subject: e.subject }) + '\n');
      return 0;
    }
    throw new KysoError('trustUsage');
  },
};
