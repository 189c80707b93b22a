/** `kyso token`: `list` (modules, tokens, certificates), and the provisioning subcommands of token-provision.ts. */
import { KysoError } from '../../api/errors.js';
import { errorText } from '../../../resources/locales/index.js';
import { TokenManager } from '../../../native/token-manager.js';
import type { ModuleReport, TokenFlags } from '../../../native/types.js';
import { tr, type CliIo } from '../io.js';
import { pinOptions, pinSourceFrom, readLoginPin } from '../pin.js';
import { defineCommand, strs, type ParsedArgs } from '../spec.js';
import { provisionSubcommands } from './token-provision.js';

/** The JSON shape of `kyso token list --json` (documented in issue 3). */
export function listJson(modules: ModuleReport[]) {
  return {
    modules: modules.map((m) => ({
      path: m.path,
      ok: m.ok,
      manufacturer: m.manufacturer ?? null,
      libraryVersion: m.libraryVersion ?? null,
      ...(m.error ? { error: m.error } : {}),
      tokens: m.tokens.map((t) => ({
        label: t.label,
        serial: t.serial,
        manufacturer: t.manufacturer,
        model: t.model,
        slotId: t.slotId,
        loggedIn: t.loggedIn,
        flags: t.flags,
        certificates: t.certificates.map((c) => ({
          subject: c.subject,
          issuer: c.issuer,
          serial: c.serial,
          notBefore: c.notBefore,
          notAfter: c.notAfter,
          keyId: c.keyId,
          hasPrivateKey: c.hasPrivateKey,
          keyUsage: c.keyUsage,
          extendedKeyUsage: c.extendedKeyUsage,
          fingerprint: c.fingerprint,
          expiresSoon: c.expiresSoon,
        })),
      })),
    })),
  };
}

function flagText(f: TokenFlags): string {
  return (Object.keys(f) as Array<keyof TokenFlags>).filter((k) => f[k]).join(', ');
}

function printText(io: CliIo, modules: ModuleReport[]): void {
  if (!modules.length) io.out(tr(io, 'token.list.none') + '\n');
  for (const m of modules) {
    io.out(tr(io, 'token.list.module', { path: m.path }) + '\n');
    if (!m.ok) {
      io.out(tr(io, 'token.list.moduleError', { message: m.error ? errorText(io.lang, m.error) : '' }) + '\n');
      continue;
    }
    io.out(tr(io, 'token.list.moduleInfo', { manufacturer: m.manufacturer, version: m.libraryVersion }) + '\n');
    if (!m.tokens.length) io.out(tr(io, 'token.list.noToken') + '\n');
    for (const t of m.tokens) {
      io.out(tr(io, 'token.list.token', { label: t.label, serial: t.serial, manufacturer: t.manufacturer, model: t.model }) + '\n');
      io.out(tr(io, 'token.list.flags', { flags: flagText(t.flags) }) + '\n');
      if (!t.certificates.length) io.out(tr(io, 'token.list.noCert') + '\n');
      for (const c of t.certificates) {
        io.out(tr(io, 'token.list.cert', { subject: c.subject }) + '\n');
        io.out(tr(io, 'token.list.certIssuer', { issuer: c.issuer }) + '\n');
        io.out(tr(io, 'token.list.certValidity', { notBefore: c.notBefore, notAfter: c.notAfter }) + '\n');
        io.out(tr(io, 'token.list.certKey', { keyId: c.keyId, hasKey: tr(io, c.hasPrivateKey ? 'token.yes' : 'token.no') }) + '\n');
        if (c.expiresSoon) io.out(tr(io, Date.parse(c.notAfter) < Date.now() ? 'token.list.expired' : 'token.list.expiresSoon') + '\n');
      }
    }
  }
}

async function list({ options }: ParsedArgs, io: CliIo): Promise<number> {
  const modules = strs(options, 'module');
  const tm = new TokenManager({ modules, env: io.env });
  try {
    if (!tm.modulePaths.length) throw new KysoError('tokenNoModules');
    if (options.login) {
      // Log in to the selected token (or each token of the first module) before listing.
      const label = typeof options.token === 'string' ? options.token : undefined;
      const ref = { module: tm.modulePaths[0]!, label };
      const { token } = await tm.resolve(ref);
      await tm.login(ref, await readLoginPin(io, pinSourceFrom(options), (token.flags & 0x100) !== 0));
    }
    const report = await tm.list();
    if (options.json) io.out(JSON.stringify(listJson(report), null, 2) + '\n');
    else printText(io, report);
    return report.some((m) => m.ok) ? 0 : 1;
  } finally {
    await tm.close();
  }
}

/** The `token` subcommand. */
export const tokenCommand = defineCommand({
  name: 'token',
  summaryKey: 'cli.cmd.token',
  noteKey: 'cli.note.pin',
  subcommands: [
    {
      name: 'list',
      summaryKey: 'cli.sub.token.list',
      options: {
        module: { type: 'string', multiple: true, value: 'PATH', help: 'cli.opt.token.list.module' },
        json: { type: 'boolean', help: 'cli.opt.json' },
        login: { type: 'boolean', help: 'cli.opt.token.list.login' },
        token: { type: 'string', value: 'LABEL', help: 'cli.opt.token' },
        ...pinOptions('pin'),
      },
      noteKey: 'cli.note.pin',
      examples: ['kyso token list', 'kyso token list --module /usr/lib/softhsm/libsofthsm2.so --json', 'kyso token list --login --token "Văn thư" --pin-env KYSO_PIN'],
      run: list,
    },
    ...provisionSubcommands,
  ],
});
