/**
 * A private machine for the deb's maintainer scripts and its `kyso` launcher, run for real as
 * root: each step runs in a private mount namespace where /opt, the XDG autostart folder,
 * /etc/passwd and /etc/login.defs are the bed's own (accounts that exist only there), and
 * update-alternatives and the desktop database tools are recording stand-ins.
 *
 * What is real: bash running the scripts as electron-builder fills them, runuser, certutil and
 * NSS databases owned by the accounts, Kyso's CLI bundle (scripts/build-cli.mjs). What stands
 * in: the Electron binary (electron-stand-in.ts), which cannot be downloaded here.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../../../scripts/build-cli.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** True where the bed can run: root, with unshare, runuser, certutil and mount. */
export const canRunDebBed = process.getuid?.() === 0 && ['unshare', 'runuser', 'certutil', 'mount'].every(has);

/** Fills an electron-builder script template as its deb target does (executable "kyso", product "Kyso"). */
export function fillTemplate(file: string): string {
  return readFileSync(path.join(root, file), 'utf8').replace(/\$\{([a-zA-Z]+)\}/g, (_m, n: string) => (n === 'executable' ? 'kyso' : 'Kyso'));
}

export interface Account {
  name: string;
  uid: number;
  home: string;
}

/** One start of the stand-in binary: who, with which argv, and whether it ran the command line. */
export interface BinaryStart {
  uid: number;
  args: string[];
  mode: 'cli' | 'app';
}

export interface DebBed {
  /** The bed's folder (deleted by cleanup). */
  t: string;
  /** /opt/Kyso as seen inside the namespace, from outside. */
  app: string;
  /** Folder of stand-in tools, first on PATH. */
  shims: string;
  /** Adds a login account (passwd entry, home made and owned by it unless `home` is given as is). */
  addAccount(name: string, options?: { home?: string; makeHome?: boolean }): Account;
  /**
   * Runs `cmd` as root inside the namespace; `tty` gives it a controlling terminal (script(1)).
   * After `timeoutMs` (default 120 s) it is killed, with everything it started: status 124.
   */
  inNamespace(cmd: string[], env?: Record<string, string>, options?: { tty?: boolean; timeoutMs?: number }): SpawnSyncReturns<string>;
  /** Runs the launcher (`/opt/Kyso/kyso-command ...`) as `who`, with the account's own environment. */
  asAccount(who: Account, args: string[], env?: Record<string, string>): SpawnSyncReturns<string>;
  /** Runs the login autostart's command as `who`, as a desktop session would. */
  login(who: Account): SpawnSyncReturns<string>;
  /** Every start of the stand-in binary so far (and clears the log). */
  starts(): BinaryStart[];
  /** Kyso CA nicknames in an NSS database (read as root). */
  kysoCas(db: string): string[];
  /** The account's own local CA (made by `kyso service install-ca` in its Kyso folder). */
  ownCa(who: Account): X509Certificate;
  /** True when `db` trusts exactly this account's CA for TLS servers ("C,,"). */
  trustsOwnCa(who: Account, db: string): boolean;
  cleanup(): void;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Builds the bed: the app laid out as the deb installs it, the scripts filled, no accounts yet. */
export async function makeDebBed(): Promise<DebBed> {
  const t = mkdtempSync('/tmp/kyso-deb-');
  chmodSync(t, 0o755);
  const app = path.join(t, 'opt', 'Kyso');
  const shims = path.join(t, 'shims');
  for (const d of [app, shims, path.join(t, 'autostart'), path.join(t, 'home')]) mkdirSync(d, { recursive: true, mode: 0o755 });
  // The installed app as the deb lays it out: resources/app/{package.json,dist/cli}, the binary, the launcher.
  const appRoot = path.join(app, 'resources', 'app');
  mkdirSync(appRoot, { recursive: true });
  copyFileSync(path.join(root, 'package.json'), path.join(appRoot, 'package.json'));
  await buildCli(path.join(appRoot, 'dist', 'cli'));
  const log = path.join(t, 'binary.log');
  writeFileSync(log, '', { mode: 0o666 });
  chmodSync(log, 0o666);
  const esbuild = await import('esbuild');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [path.join(root, 'test', 'integration', 'packaging', 'electron-stand-in.ts')],
    outfile: path.join(app, 'stand-in.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
    define: { STAND_IN_LOG: JSON.stringify(log), CLI_MAIN: JSON.stringify(path.join(appRoot, 'dist', 'cli', 'main.js')) },
  });
  writeFileSync(path.join(app, 'kyso'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(path.join(app, 'stand-in.cjs'))} "$@"\n`, { mode: 0o755 });
  // As extraFiles may leave it: the postinst makes it executable.
  copyFileSync(path.join(root, 'build', 'linux', 'kyso-command.sh'), path.join(app, 'kyso-command'));
  chmodSync(path.join(app, 'kyso-command'), 0o644);
  writeFileSync(path.join(shims, 'update-alternatives'), `#!/bin/sh\necho "$*" >> '${path.join(t, 'alternatives.log')}'\n`, { mode: 0o755 });
  for (const tool of ['update-mime-database', 'update-desktop-database']) writeFileSync(path.join(shims, tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(path.join(shims, 'apparmor_status'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  const passwd = ['root:x:0:0:root:/root:/bin/bash'];
  writeFileSync(path.join(t, 'passwd'), passwd.join('\n') + '\n');
  writeFileSync(path.join(t, 'login.defs'), 'UID_MIN 15000\nUID_MAX 15999\n');
  for (const [file, text] of [['postinst', fillTemplate('build/linux/after-install.sh')], ['postrm', fillTemplate('build/linux/after-remove.sh')]] as const) writeFileSync(path.join(t, file), text, { mode: 0o755 });

  const bed: DebBed = {
    t,
    app,
    shims,
    addAccount(name, options = {}) {
      const a: Account = { name, uid: 15_001 + passwd.length - 1, home: options.home ?? path.join(t, 'home', name) };
      if (options.makeHome !== false) {
        mkdirSync(a.home, { recursive: true, mode: 0o700 });
        chownSync(a.home, a.uid, a.uid);
      }
      passwd.push(`${a.name}:x:${a.uid}:${a.uid}::${a.home}:/bin/sh`);
      writeFileSync(path.join(t, 'passwd'), passwd.join('\n') + '\n');
      return a;
    },
    inNamespace(cmd, env = {}, options = {}) {
      const binds = [
        [path.join(t, 'opt'), '/opt'],
        [path.join(t, 'autostart'), '/etc/xdg/autostart'],
        [path.join(t, 'passwd'), '/etc/passwd'],
        [path.join(t, 'login.defs'), '/etc/login.defs'],
      ];
      const script = binds.map(([from, to]) => `mount --bind '${from}' '${to}'`).join(' && ') + ' && exec "$@"';
      // timeout(1) outermost: whatever hangs inside is killed with its process group, nothing is left behind.
      const limit = options.timeoutMs ?? 120_000;
      const argv = ['timeout', '-k', '3', `${limit / 1000}`, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'ns', ...cmd];
      // script(1) gives the command a terminal of its own, as `sudo apt install` in a terminal has.
      const [file, args] = options.tty ? ['script', ['-qec', argv.map(shellQuote).join(' '), '/dev/null']] : [argv[0]!, argv.slice(1)];
      return spawnSync(file, args as string[], {
        encoding: 'utf8',
        env: { PATH: `${shims}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, LANG: 'C.UTF-8', KYSO_LANG: 'en', ...env },
        timeout: limit + 10_000,
        ...(options.tty ? { input: '' } : {}),
      });
    },
    asAccount(who, args, env = {}) {
      const vars = Object.entries({ HOME: who.home, USER: who.name, PATH: '/usr/bin:/bin', KYSO_LANG: 'en', ...env }).map(([k, v]) => `${k}=${v}`);
      return bed.inNamespace(['runuser', '-u', who.name, '--', 'env', '-i', ...vars, '/opt/Kyso/kyso-command', ...args]);
    },
    login(who) {
      const entry = readFileSync(path.join(t, 'autostart', 'kyso-local-ca.desktop'), 'utf8');
      const exec = /^Exec=(.*)$/m.exec(entry)![1]!.split(' ');
      return bed.inNamespace(['runuser', '-u', who.name, '--', 'env', '-i', `HOME=${who.home}`, `USER=${who.name}`, 'PATH=/usr/bin:/bin', 'KYSO_LANG=en', ...exec]);
    },
    starts() {
      const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      writeFileSync(log, '');
      return lines.map((l) => JSON.parse(l) as BinaryStart);
    },
    kysoCas(db) {
      if (!existsSync(path.join(db, 'cert9.db'))) return [];
      const r = spawnSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' });
      return r.stdout.split('\n').filter((l) => l.startsWith('Kyso Local Signing CA')).map((l) => l.replace(/\s+\S*,\S*,\S*\s*$/, ''));
    },
    ownCa(who) {
      return new X509Certificate(readFileSync(path.join(who.home, '.config', 'kyso', 'local-service', 'local-ca.pem')));
    },
    trustsOwnCa(who, db) {
      const ca = bed.ownCa(who);
      const nick = ca.subject.split('\n').find((l) => l.startsWith('CN='))!.slice(3);
      const r = spawnSync('certutil', ['-L', '-d', `sql:${db}`, '-n', nick, '-a'], { encoding: 'utf8' });
      const trust = spawnSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.startsWith(nick));
      return r.status === 0 && r.stdout.replace(/\s/g, '').includes(ca.raw.toString('base64')) && /\sC,,\s*$/.test(trust ?? '');
    },
    cleanup() {
      rmSync(t, { recursive: true, force: true });
    },
  };
  return bed;
}
