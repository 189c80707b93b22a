/** Where Kyso keeps its data and where its own files are, on every OS. */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The data directory: KYSO_HOME, else the OS app-data folder (so two organizations can run side by side). */
export function kysoHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KYSO_HOME) return path.resolve(env.KYSO_HOME);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Kyso');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Kyso');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'kyso');
}

let cachedRoot: string | undefined;

/** The package root (works from sources under tsx/vitest and from the compiled dist/). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kyso') {
      cachedRoot = dir;
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('kyso package root not found');
    dir = up;
  }
}

/** The app version from package.json. */
export function appVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Path of a file under resources/ (fonts, catalogue, trust anchors). */
export function resourcePath(...parts: string[]): string {
  return path.join(packageRoot(), 'resources', ...parts);
}
