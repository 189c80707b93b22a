/** `kyso trust add FILE | list [--json] | remove FINGERPRINT`: the admin trust store in KYSO_HOME/trust. */
import { readFileSync } from 'node:fs';
import { KysoError } from '../../api/errors.js';
import { trustAdd, trustList, trustRemove } from '../../pki/trust-store.js';
import { kysoHome } from '../../services/paths.js';
import { parseArgs } from '../args.js';
import { tr, type Command } from '../io.js';

/** The `trust` subcommand. */
export const trustCommand: Command = {
  name: 'trust',
  summaryKey: 'cli.cmd.trust',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const { options, positionals } = parseArgs(rest, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    const home = kysoHome(io.env);
    if (!sub || sub === '--help' || sub === '-h' || options.help) {
      io.out(tr(io, 'trust.usage') + '\n');
      return sub ? 0 : 2;
    }
    if (sub === 'add') {
      if (positionals.length === 0) throw new KysoError('trustBadFile', { exitCode: 2 });
      const added = positionals.flatMap((p) => {
        let data: Buffer;
        try {
          data = readFileSync(p);
        } catch {
          throw new KysoError('fileNotFound', { path: p });
        }
        return trustAdd(home, data);
      });
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
    throw new KysoError('trustUsage', { exitCode: 2 });
  },
};
