/**
 * Where Kyso's own files are: the package root and the files under resources/ (fonts, the
 * PKCS#11 module catalogue, trust-store sources, icons). Lives here, below every layer, so the
 * engines (pdf, validation, native...) can find their resources without importing the
 * services above them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The package root (works from sources under tsx/vitest, the compiled dist/ and the CLI bundle). */
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

/** Path of a file under resources/ (fonts, catalogue, trust anchors). */
export function resourcePath(...parts: string[]): string {
  return path.join(packageRoot(), 'resources', ...parts);
}
