/** `kyso app`: opens the app (Electron when its binary is present, else the browser host). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { KysoError } from '../../api/errors.js';
import { createCore } from '../../services/core.js';
import { kysoHome, packageRoot } from '../../services/paths.js';
import { findElectronBinary } from '../../host/electron-binary.js';
import { openBrowser } from '../../host/open-browser.js';
import { browserShellHandlers } from '../../host/shell-fallback.js';
import { startHost } from '../../host/server.js';
import type { CliIo } from '../io.js';
import { defineCommand } from '../spec.js';

/** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Parses `--port N` (0..65535). */
function parsePort(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new KysoError('appBadPort', { port: v });
  return n;
}

/** Serves the browser host until a signal, then closes host and core cleanly. */
async function runBrowserHost(port: number, open: boolean, io: CliIo): Promise<number> {
  const core = await createCore({ host: 'browser', home: kysoHome(io.env), lang: io.lang, shell: browserShellHandlers() });
  const host = await startHost({ core, port, rendererDir: path.join(packageRoot(), 'dist', 'renderer') }).catch(async (e: unknown) => {
    await core.close();
    const code = (e as { code?: string }).code;
    throw code === 'EADDRINUSE' ? new KysoError('appPortInUse', { port }) : e;
  });
  // The only place the session secret is ever printed.
  io.out(`Kyso: ${host.url}\n`);
  if (open) openBrowser(host.url);
  await untilSignal();
  await host.close();
  await core.close();
  // Safety net: a call still in flight at shutdown (e.g. a token bridge starting up) must not
  // keep the process alive; the timer is unref'd so a clean exit does not wait for it.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
  return 0;
}

/** Runs the Electron shell and mirrors its exit status. */
function runElectron(exe: string, io: CliIo): Promise<number> {
  const main = path.join(packageRoot(), 'dist', 'main', 'shell', 'main.js');
  const child = spawn(exe, [main], { stdio: 'inherit', env: { ...io.env, KYSO_LANG: io.lang } });
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 0));
  });
}

/** The `app` subcommand. */
export const appCommand = defineCommand({
  name: 'app',
  summaryKey: 'cli.cmd.app',
  options: {
    browser: { type: 'boolean', help: 'cli.opt.app.browser' },
    port: { type: 'string', value: 'N', help: 'cli.opt.app.port' },
    'no-open': { type: 'boolean', help: 'cli.opt.app.no-open' },
  },
  examples: ['kyso app', 'kyso app --browser --port 8080 --no-open'],
  async run({ options }, io) {
    const port = parsePort(options.port as string | undefined);
    const exe = options.browser ? undefined : findElectronBinary(packageRoot());
    if (exe) return runElectron(exe, io);
    return runBrowserHost(port, options['no-open'] !== true, io);
  },
});
