/** Finds the Electron binary without throwing (it is absent on CI and build machines). */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Path of the Electron executable, or undefined when the npm package or its downloaded
 * binary is missing (ELECTRON_SKIP_BINARY_DOWNLOAD=1 leaves no path.txt and no dist/).
 */
export function findElectronBinary(fromDir: string): string | undefined {
  let pkgJson: string;
  try {
    pkgJson = createRequire(path.join(fromDir, 'noop.js')).resolve('electron/package.json');
  } catch {
    return undefined;
  }
  const dir = path.dirname(pkgJson);
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return undefined;
  const rel = readFileSync(pathTxt, 'utf8').trim();
  if (!rel) return undefined;
  const exe = path.join(dir, 'dist', rel);
  return existsSync(exe) ? exe : undefined;
}
