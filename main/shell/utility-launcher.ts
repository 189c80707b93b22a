/**
 * The token bridge's ProcessLauncher for the Electron app: Electron's utilityProcess instead
 * of child_process.fork (the Electron binary is not a plain Node, and a utility process is
 * sandbox-aware and crash-isolated). The worker already talks over process.parentPort.
 */
import { utilityProcess } from 'electron';
import type { BridgeProcess, ProcessLauncher } from '../../native/bridge/launcher.js';
import { exitFanout, workerEntry } from '../../native/bridge/launcher.js';

/** Launches bridge workers as Electron utility processes. */
export const utilityLauncher: ProcessLauncher = {
  launch(env) {
    const { file } = workerEntry();
    const child = utilityProcess.fork(file, [], {
      env,
      serviceName: 'Kyso token bridge',
      // A driver printing to stdout must not mix with anything; stderr helps diagnose drivers.
      stdio: ['ignore', 'ignore', 'inherit'],
      // Vendor PKCS#11 drivers on macOS are often not signed by Apple.
      allowLoadingUnsignedLibraries: true,
    });
    const exit = exitFanout();
    child.on('exit', (code) => exit.fire(code, null));
    child.on('error', () => exit.fire(null, 'error'));
    const proc: BridgeProcess = {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        if (!exit.exited) child.postMessage(m);
      },
      onMessage: (l) => child.on('message', (m: unknown) => l(m)),
      onExit: (l) => exit.add(l),
      kill: () => {
        child.kill();
      },
    };
    return proc;
  },
};
