/** Where Kyso keeps its data (KYSO_HOME), and its version; package paths come from resources/paths.ts. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../resources/paths.js';

export { packageRoot, resourcePath } from '../../resources/paths.js';

/** The data directory: KYSO_HOME, else the OS app-data folder (so two organizations can run side by side). */
export function kysoHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KYSO_HOME) return path.resolve(env.KYSO_HOME);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Kyso');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Kyso');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'kyso');
}

/** The app version from package.json. */
export function appVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
