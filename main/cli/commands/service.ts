/**
 * `kyso service [--port N] [--vnpt-port N] [--no-vnpt] [--module M] [--token LABEL]
 * [--cert SERIAL] [--unattended --allow-origin ORIGIN... (--pin-env VAR | --pin-file F)]
 * [--audit-log F]`, and `kyso service install-ca | uninstall-ca | status`: the local signing
 * service without a window. Questions go to the terminal (or, in unattended mode, nowhere:
 * the named sites are signed for with the PIN from the environment or a file).
 */
import net from 'node:net';
import { KysoError } from '../../api/errors.js';
import { kysoHome } from '../../services/paths.js';
import { intOption } from '../args.js';
import { tr, type CliIo } from '../io.js';
import { pinOptions, readPin, terminalLine } from '../pin.js';
import { defineCommand, str, strs, type CommandSpec, type ParsedArgs } from '../spec.js';

/** True when something listens on 127.0.0.1:port. */
function portBusy(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: p });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
  });
}

/** Reads a line on the terminal, echoing unless hidden; Ctrl-C or the signal ends it. */
function terminalPrompt(io: CliIo) {
  return (question: string, o: { hidden: boolean; signal: AbortSignal }): Promise<string> => terminalLine(question, { ...o, write: (text) => io.err(text) });
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const on = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve();
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}


async function serve({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const [{ openStore }, { configFromSettings }, { parseOrigin }, { startLocalService }, { ServiceTokens }, { TokenManager }, { loadAnchors }, { MODULE_PATHS_SETTING }] = await Promise.all([
    import('../../store/index.js'), import('../../local-service/config.js'), import('../../local-service/origins.js'), import('../../local-service/service.js'),
    import('../../local-service/tokens.js'), import('../../../native/token-manager.js'), import('../../pki/trust-store.js'), import('../../services/token-handlers.js'),
  ]);
  const origins = strs(o, 'allow-origin').map(parseOrigin);
  const pinSource = { env: str(o, 'pin-env'), file: str(o, 'pin-file') };
  if (o.unattended) {
    if (!origins.length) throw new KysoError('serviceUnattendedOrigins');
    if (!pinSource.env && !pinSource.file) throw new KysoError('servicePinSource');
    // Fail now, not at the first request, when the PIN cannot be read.
    await readPin(io, pinSource);
  } else if (origins.length || pinSource.env || pinSource.file) throw new KysoError('serviceUnattendedOnly');
  const home = kysoHome(io.env);
  const store = openStore(home);
  const config = configFromSettings(home, (k) => store.settings.get(k));
  config.vgcaPort = intOption(o, 'port', 1, 65_535) ?? config.vgcaPort;
  const vnpt = intOption(o, 'vnpt-port', 1, 65_535);
  if (vnpt) config.vnptPorts = [vnpt, vnpt + 1, vnpt + 2].filter((p) => p < 65536);
  if (o['no-vnpt']) config.vnptPorts = [];
  for (const k of ['module', 'token', 'cert'] as const) if (str(o, k)) config.token[k] = str(o, k)!;
  const manager = new TokenManager({ ...(config.token.module ? { modules: [config.token.module] } : {}), env: io.env });
  const userModules = store.settings.get(MODULE_PATHS_SETTING);
  if (!config.token.module && Array.isArray(userModules)) await manager.setUserModules(userModules.filter((x): x is string => typeof x === 'string'));
  const tokens = new ServiceTokens(manager, config.token, () => loadAnchors(home));
  const consent = o.unattended
    ? new (await import('../../local-service/consent/unattended.js')).UnattendedConsent(origins, () => readPin(io, pinSource))
    : new (await import('../../local-service/consent/tty.js')).TtyConsent(() => io.lang, (s) => io.err(s), io.isTty ? terminalPrompt(io) : undefined);
  let service;
  try {
    service = await startLocalService({ config, settings: store.settings, consent, tokens, lang: () => io.lang, env: io.env, ...(str(o, 'audit-log') ? { auditFile: str(o, 'audit-log')! } : {}) });
  } catch (e) {
    await tokens.close();
    store.close();
    throw e;
  }
  const vnptText = service.vnpt.port
    ? tr(io, 'service.cli.vnpt', { vnpt: `wss://localhost:${service.vnpt.port}/plugin` })
    : config.vnptPorts.length
      ? tr(io, 'service.cli.vnptFailed', { message: service.vnpt.error ? tr(io, `error.${service.vnpt.error.code}`, service.vnpt.error.params) : '?' })
      : tr(io, 'service.cli.vnptOff');
  io.out(tr(io, 'service.cli.listening', { vgca: `wss://127.0.0.1:${service.vgca.port}`, vnpt: vnptText }) + '\n');
  if (service.tls.renewed) io.err(tr(io, 'service.cli.caRenewed', { name: service.tls.caName }) + '\n');
  if (o.unattended) io.err(tr(io, 'service.cli.unattendedWarning', { origins: origins.join(', '), audit: service.auditFile }) + '\n');
  await untilSignal();
  await service.close();
  await tokens.close();
  store.close();
  io.err(tr(io, 'service.cli.stopped') + '\n');
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
  return 0;
}

async function trustCommand(kind: 'install' | 'uninstall', io: CliIo, flag = false): Promise<number> {
  const [{ serviceDir }, tls, trust] = await Promise.all([import('../../local-service/config.js'), import('../../local-service/tls/local-ca.js'), import('../../local-service/tls/trust.js')]);
  const dir = serviceDir(kysoHome(io.env));
  if (kind === 'install' && flag) {
    // The installers and the login autostart: quiet when there is nothing to do.
    // A new or renewed CA has a serial the record does not know: 'needed'.
    tls.ensureLocalTls(dir);
    const need = await trust.trustNeed(tls.tlsFiles(dir).ca, dir);
    if (need !== 'needed') {
      io.out(tr(io, need === 'optedOut' ? 'service.cli.optedOut' : 'service.cli.upToDate') + '\n');
      return 0;
    }
  }
  // For uninstall, `flag` is --no-opt-out: an uninstaller removing trust is not the user's choice.
  const results = kind === 'install' ? await trust.installCa((tls.ensureLocalTls(dir), tls.tlsFiles(dir).ca), dir) : await trust.uninstallCa(dir, { recordChoice: !flag });
  for (const r of results) {
    if (r.ok) io.out(tr(io, kind === 'install' ? 'service.cli.installed' : 'service.cli.removed', { location: r.location }) + '\n');
    else {
      const reason = trust.trustFailure(r);
      const detail = reason ? tr(io, `error.${reason}`, { file: tls.tlsFiles(dir).ca }) : r.detail ?? '';
      io.err(tr(io, kind === 'install' ? 'service.cli.installFailed' : 'service.cli.removeFailed', { location: r.location, detail }) + '\n');
    }
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

async function status({ options: o }: ParsedArgs, io: CliIo): Promise<number> {
  const [{ serviceDir, defaultConfig }, tls, trust] = await Promise.all([import('../../local-service/config.js'), import('../../local-service/tls/local-ca.js'), import('../../local-service/tls/trust.js')]);
  const home = kysoHome(io.env);
  const dir = serviceDir(home);
  const t = tls.readLocalTls(dir);
  const cfg = defaultConfig(home);
  const ports = { vgca: { port: cfg.vgcaPort, busy: await portBusy(cfg.vgcaPort) }, vnpt: { port: cfg.vnptPorts[0]!, busy: await portBusy(cfg.vnptPorts[0]!) } };
  const trusted = t && process.platform === 'linux' ? await trust.nssTrustStatus(tls.tlsFiles(dir).ca) : [];
  if (o.json) {
    io.out(JSON.stringify({ ca: t ? { name: t.caName, fingerprint: t.caFingerprint, notAfter: t.notAfter.toISOString(), file: tls.tlsFiles(dir).ca } : null, trust: trusted, ports }, null, 2) + '\n');
    return 0;
  }
  if (!t) io.out(tr(io, 'error.serviceNoTls') + '\n');
  else io.out(tr(io, 'service.cli.status', { name: t.caName, fingerprint: t.caFingerprint, notAfter: t.notAfter.toISOString(), file: tls.tlsFiles(dir).ca }) + '\n');
  for (const s of trusted) io.out(tr(io, 'service.cli.statusTrust', { location: s.location, state: tr(io, s.trusted ? 'service.cli.trusted' : 'service.cli.notTrusted') }) + '\n');
  const state = (b: boolean) => tr(io, b ? 'service.cli.portBusy' : 'service.cli.portFree');
  io.out(tr(io, 'service.cli.ports', { vgca: ports.vgca.port, vgcaState: state(ports.vgca.busy), vnpt: ports.vnpt.port, vnptState: state(ports.vnpt.busy) }) + '\n');
  return 0;
}

const subcommands: CommandSpec[] = [
  {
    name: 'install-ca',
    summaryKey: 'cli.sub.service.install-ca',
    noteKey: 'cli.note.service.install-ca',
    options: { 'if-needed': { type: 'boolean', help: 'cli.opt.service.if-needed' } },
    examples: ['kyso service install-ca', 'kyso service install-ca --if-needed'],
    run: ({ options: o }, io) => trustCommand('install', io, o['if-needed'] === true),
  },
  {
    name: 'uninstall-ca',
    summaryKey: 'cli.sub.service.uninstall-ca',
    options: { 'no-opt-out': { type: 'boolean', help: 'cli.opt.service.no-opt-out' } },
    examples: ['kyso service uninstall-ca'],
    run: ({ options: o }, io) => trustCommand('uninstall', io, o['no-opt-out'] === true),
  },
  { name: 'status', summaryKey: 'cli.sub.service.status', options: { json: { type: 'boolean', help: 'cli.opt.json' } }, examples: ['kyso service status --json'], run: status },
];

/** The `service` command: runs the service, or manages its local CA with a subcommand. */
export const serviceCommand = defineCommand({
  name: 'service',
  summaryKey: 'cli.cmd.service',
  noteKey: 'cli.note.service',
  options: {
    port: { type: 'string', value: 'N', help: 'cli.opt.service.port' },
    'vnpt-port': { type: 'string', value: 'N', help: 'cli.opt.service.vnpt-port' },
    'no-vnpt': { type: 'boolean', help: 'cli.opt.service.no-vnpt' },
    module: { type: 'string', value: 'PATH', help: 'cli.opt.module' },
    token: { type: 'string', value: 'LABEL', help: 'cli.opt.token' },
    cert: { type: 'string', value: 'SERIAL', help: 'cli.opt.cert' },
    unattended: { type: 'boolean', help: 'cli.opt.service.unattended' },
    'allow-origin': { type: 'string', multiple: true, value: 'ORIGIN', help: 'cli.opt.service.allow-origin' },
    ...pinOptions('pin'),
    'audit-log': { type: 'string', value: 'FILE', help: 'cli.opt.service.audit-log' },
  },
  examples: [
    'kyso service',
    'kyso service --port 8987 --vnpt-port 4433 --token "VGCA Token"',
    'kyso service --unattended --allow-origin https://qlvb.tinh.gov.vn --pin-env KYSO_PIN --token "Kyso Org Seal"',
  ],
  subcommands,
  exitCodes: { servicePortInUse: 3 },
  run: serve,
});
