/**
 * `kyso token init|set-pin|change-pin|unblock-pin|keygen|csr|import-cert|delete|rename|inventory`:
 * token preparation for IT staff (issue 8). Token selection: `--module PATH`, `--token LABEL`
 * (or `--serial`); PINs only via `--pin-env/--pin-file`, `--so-pin-env/--so-pin-file`,
 * `--new-pin-env/--new-pin-file` or a hidden prompt.
 */
import { readFileOrFail, writeFileOrFail } from '../../signing/atomic.js';
import { KysoError } from '../../api/errors.js';
import { parseSubject } from '../../../native/csr.js';
import { Provisioner, type DeleteWhat } from '../../../native/provisioning.js';
import { TokenManager } from '../../../native/token-manager.js';
import { inventoryText, tokenInventory } from '../../services/provision.js';
import { kysoHome } from '../../services/paths.js';
import type { ModuleReport, TokenRef } from '../../../native/types.js';
import { keyTypes, type KeyTypeName } from '../../../native/bridge/protocol.js';
import { tr, type CliIo } from '../io.js';
import { str, type CommandSpec, type OptionSpecs, type ParsedArgs } from '../spec.js';
import { pinOptions, pinSourceFrom, readLoginPin, readPin } from '../pin.js';
import { requireUsableModule } from '../../services/token-session.js';

function need(o: ParsedArgs['options'], k: string): string {
  const v = str(o, k);
  if (v === undefined) throw new KysoError('cliMissingValue', { option: `--${k}` });
  return v;
}

/** The module report; when no module can be used at all, the reason (not found, not PKCS#11...). */
async function usableReport(tm: TokenManager): Promise<ModuleReport[]> {
  const report = await tm.list();
  requireUsableModule(report);
  return report;
}

/** Finds the module holding the selected token (the only module when --module is given). */
async function pickRef(tm: TokenManager, o: ParsedArgs['options'], blank = false): Promise<TokenRef> {
  const label = str(o, 'token');
  const serial = str(o, 'serial');
  const report = await usableReport(tm);
  for (const m of report) {
    const t = m.tokens.find((x) => {
      if (label !== undefined && x.label !== label) return false;
      if (serial !== undefined && x.serial !== serial) return false;
      // Without --token/--serial, `init` takes only a token never initialized: one that merely
      // has an empty label may hold keys, and initializing it erases them.
      if (blank && label === undefined && serial === undefined) return !x.flags.tokenInitialized;
      return blank || x.flags.tokenInitialized;
    });
    if (t) return { module: m.path, label: t.label, serial: t.serial };
  }
  throw new KysoError('tokenNotFound', { token: label ?? serial ?? '' });
}

const soPin = (io: CliIo, o: ParsedArgs['options']) => readPin(io, pinSourceFrom(o, 'so-pin', 'provision.soPinPrompt'));
const newPin = (io: CliIo, o: ParsedArgs['options']) => readPin(io, pinSourceFrom(o, 'new-pin', 'provision.newPinPrompt'));

/** Runs one provisioning subcommand; resolves to the exit status. */
export async function runProvision(sub: string, { options: o, positionals }: ParsedArgs, io: CliIo): Promise<number> {
  const module = str(o, 'module');
  const tm = new TokenManager({ ...(module ? { modules: [module] } : {}), env: io.env });
  const prov = new Provisioner(tm);
  const say = (key: string, params?: Record<string, unknown>) => io.out(tr(io, key, params) + '\n');
  const login = async (ref: TokenRef) => {
    const { token } = await tm.resolve(ref);
    // 0x100 = CKF_PROTECTED_AUTHENTICATION_PATH: a PIN pad token asks on the device.
    await tm.login(ref, await readLoginPin(io, pinSourceFrom(o), (token.flags & 0x100) !== 0));
  };
  try {
    if (!tm.modulePaths.length) throw new KysoError('tokenNoModules');
    switch (sub) {
      case 'init': {
        const label = need(o, 'label');
        const ref = await pickRef(tm, o, true);
        const so = await soPin(io, o);
        const user = str(o, 'new-pin-env') !== undefined || str(o, 'new-pin-file') !== undefined ? await newPin(io, o) : undefined;
        await prov.initToken(ref, { label, soPin: so, ...(user !== undefined ? { userPin: user } : {}) });
        say('provision.done.init', { label });
        if (user !== undefined) say('provision.done.pin');
        return 0;
      }
      case 'set-pin':
      case 'unblock-pin': {
        const ref = await pickRef(tm, o);
        await prov.setUserPin(ref, await soPin(io, o), await newPin(io, o));
        say('provision.done.pin');
        return 0;
      }
      case 'change-pin': {
        const ref = await pickRef(tm, o);
        await prov.changePin(ref, await readPin(io, pinSourceFrom(o)), await newPin(io, o));
        say('provision.done.changePin');
        return 0;
      }
      case 'keygen': {
        const type = need(o, 'type').toLowerCase() as KeyTypeName;
        if (!keyTypes.includes(type)) throw new KysoError('cliInvalidValue', { option: '--type', value: type, allowed: keyTypes.join('|') });
        const label = need(o, 'label');
        const ref = await pickRef(tm, o);
        await login(ref);
        const r = await prov.generateKey(ref, { type, label, ...(str(o, 'id') ? { keyId: str(o, 'id')! } : {}) });
        if (o.json) io.out(JSON.stringify({ keyId: r.keyId, label, type, publicKey: r.publicKeyPem }, null, 2) + '\n');
        else say('provision.done.keygen', { type, label, keyId: r.keyId });
        return 0;
      }
      case 'csr': {
        const subject = parseSubject(need(o, 'subject'));
        const ref = await pickRef(tm, o);
        await login(ref);
        const key = str(o, 'id') !== undefined ? { keyId: str(o, 'id')! } : { label: need(o, 'key') };
        const csr = await prov.createCsr(ref, { key, subject });
        const out = str(o, 'out');
        if (o.json) io.out(JSON.stringify({ keyId: csr.keyId, subject: csr.subject, pem: csr.pem, ...(out ? { path: out } : {}) }, null, 2) + '\n');
        else {
          // Preview what the CA will see before the file is written.
          say('provision.csr.preview', { keyId: csr.keyId });
          for (const [k, v] of csr.subject) io.out(`  ${k}=${v}\n`);
        }
        if (out) {
          writeFileOrFail(out, csr.pem);
          if (!o.json) say('provision.csr.written', { path: out });
        } else if (!o.json) io.out(csr.pem);
        return 0;
      }
      case 'import-cert': {
        const file = positionals[0];
        if (!file) throw new KysoError('cliMissingValue', { option: 'FILE' });
        const bytes = readFileOrFail(file);
        const ref = await pickRef(tm, o);
        await login(ref);
        const r = await prov.importCertificate(ref, bytes, { ...(str(o, 'label') ? { label: str(o, 'label')! } : {}) });
        if (o.json) io.out(JSON.stringify(r, null, 2) + '\n');
        else say('provision.done.import', r);
        return 0;
      }
      case 'delete':
      case 'rename': {
        const keyId = need(o, 'id');
        const what = (str(o, 'what') ?? 'all') as DeleteWhat;
        if (!['cert', 'key', 'all'].includes(what)) throw new KysoError('cliInvalidValue', { option: '--what', value: what, allowed: 'cert|key|all' });
        const ref = await pickRef(tm, o);
        await login(ref);
        if (sub === 'delete') say('provision.done.delete', { count: await prov.delete(ref, { keyId, what, confirm: need(o, 'confirm') }) });
        else say('provision.done.rename', { count: await prov.rename(ref, { keyId, what, label: need(o, 'label') }) });
        return 0;
      }
      case 'inventory': {
        // Present tokens are recorded in KYSO_HOME; absent ones seen before are listed too.
        await usableReport(tm);
        const rows = await tokenInventory(prov, kysoHome(io.env));
        const text = o.csv ? inventoryText(rows, 'csv') : o.json ? inventoryText(rows, 'json') : undefined;
        const out = str(o, 'out');
        if (text !== undefined && out) writeFileOrFail(out, text);
        else if (text !== undefined) io.out(text);
        else
          for (const r of rows) {
            say(r.present ? 'provision.inventory.row' : 'provision.inventory.rowAbsent', { ...r, subject: r.subject.replace(/\n/g, ', ') });
            if (r.expiresSoon) say(r.daysLeft < 0 ? 'provision.inventory.expired' : 'provision.inventory.warn');
          }
        return 0;
      }
      default:
        throw new KysoError('unknownCommand', { command: `token ${sub}` });
    }
  } finally {
    await tm.close();
  }
}

/** The token a command acts on: its module, then its label or serial. */
const select: OptionSpecs = {
  module: { type: 'string', value: 'PATH', help: 'cli.opt.module' },
  token: { type: 'string', value: 'LABEL', help: 'cli.opt.token' },
  serial: { type: 'string', value: 'SERIAL', help: 'cli.opt.serial' },
};
const json: OptionSpecs = { json: { type: 'boolean', help: 'cli.opt.json' } };
const keyId = (help: string): OptionSpecs => ({ id: { type: 'string', value: 'HEX', help } });
const what: OptionSpecs = { what: { type: 'string', value: 'cert|key|all', help: 'cli.opt.token.what' } };

/** One provisioning subcommand: its options and examples; the work is runProvision's. */
function provision(name: string, options: OptionSpecs, examples: string[], args?: string): CommandSpec {
  return { name, summaryKey: `cli.sub.token.${name}`, options, examples, noteKey: 'cli.note.pin', ...(args ? { args } : {}), run: (a, io) => runProvision(name, a, io) };
}

/** The provisioning subcommands of `kyso token`, for IT staff. */
export const provisionSubcommands: CommandSpec[] = [
  provision('init', { ...select, label: { type: 'string', value: 'LABEL', help: 'cli.opt.token.init.label' }, ...pinOptions('so-pin'), ...pinOptions('new-pin') },
    ['kyso token init --module /usr/lib/softhsm/libsofthsm2.so --label "Văn thư" --so-pin-env SO_PIN --new-pin-env USER_PIN']),
  provision('set-pin', { ...select, ...pinOptions('so-pin'), ...pinOptions('new-pin') }, ['kyso token set-pin --token "Văn thư" --so-pin-env SO_PIN --new-pin-env USER_PIN']),
  provision('change-pin', { ...select, ...pinOptions('pin'), ...pinOptions('new-pin') }, ['kyso token change-pin --token "Văn thư" --pin-env OLD_PIN --new-pin-env NEW_PIN']),
  provision('unblock-pin', { ...select, ...pinOptions('so-pin'), ...pinOptions('new-pin') }, ['kyso token unblock-pin --token "Văn thư" --so-pin-file so-pin.txt --new-pin-env USER_PIN']),
  provision('keygen', {
    ...select, ...pinOptions('pin'),
    type: { type: 'string', value: keyTypes.join('|'), help: 'cli.opt.token.keygen.type' },
    label: { type: 'string', value: 'LABEL', help: 'cli.opt.token.keygen.label' },
    ...keyId('cli.opt.token.keygen.id'), ...json,
  }, ['kyso token keygen --token "Văn thư" --pin-env KYSO_PIN --type rsa:3072 --label "Ky so 2026"']),
  provision('csr', {
    ...select, ...pinOptions('pin'),
    key: { type: 'string', value: 'LABEL', help: 'cli.opt.token.csr.key' },
    ...keyId('cli.opt.token.csr.id'),
    subject: { type: 'string', value: 'DN', help: 'cli.opt.token.csr.subject' },
    out: { type: 'string', short: 'o', value: 'FILE', help: 'cli.opt.token.csr.out' },
    ...json,
  }, ['kyso token csr --token "Văn thư" --pin-env KYSO_PIN --key "Ky so 2026" --subject "CN=Nguyễn Văn An,O=UBND tỉnh Lào Cai,C=VN" -o yeu-cau.pem']),
  provision('import-cert', { ...select, ...pinOptions('pin'), label: { type: 'string', value: 'LABEL', help: 'cli.opt.token.import-cert.label' }, ...json },
    ['kyso token import-cert chung-thu.pem --token "Văn thư" --pin-env KYSO_PIN'], 'FILE'),
  provision('delete', { ...select, ...pinOptions('pin'), ...keyId('cli.opt.token.delete.id'), ...what, confirm: { type: 'string', value: 'HEX', help: 'cli.opt.token.delete.confirm' } },
    ['kyso token delete --token "Văn thư" --pin-env KYSO_PIN --id c0ffee --what cert --confirm c0ffee']),
  provision('rename', { ...select, ...pinOptions('pin'), ...keyId('cli.opt.token.rename.id'), ...what, label: { type: 'string', value: 'LABEL', help: 'cli.opt.token.rename.label' } },
    ['kyso token rename --token "Văn thư" --pin-env KYSO_PIN --id c0ffee --label "Ky so 2027"']),
  provision('inventory', {
    module: select.module!,
    csv: { type: 'boolean', help: 'cli.opt.token.inventory.csv' },
    ...json,
    out: { type: 'string', short: 'o', value: 'FILE', help: 'cli.opt.token.inventory.out' },
  }, ['kyso token inventory', 'kyso token inventory --csv -o kiem-ke.csv']),
];
