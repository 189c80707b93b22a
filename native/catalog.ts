/**
 * Where PKCS#11 modules may be: the catalogue in resources/pkcs11-modules.json (Vietnamese CA
 * tokens, OpenSC, SoftHSM2) plus user-configured paths. Only existing files become candidates;
 * loading them (C_GetInfo) is the bridge's job.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
// zod/mini, as in bridge/protocol.ts: every `kyso sign` loads this module, and full zod's
// namespace pulls in its whole bundle.
import * as z from 'zod/mini';
import { resourcePath } from '../resources/paths.js';

const entrySchema = z.object({
  id: z.string(),
  vendor: z.string(),
  win32: z.array(z.string()),
  linux: z.array(z.string()),
  darwin: z.array(z.string()),
});

const catalogSchema = z.object({ modules: z.array(entrySchema) });

/** One catalogue entry: a vendor and its module paths per OS. */
export type CatalogEntry = z.output<typeof entrySchema>;

/** A module file that may be loaded, with the vendor the catalogue knows it by. */
export interface ModuleCandidate {
  path: string;
  vendor: string;
  source: 'catalog' | 'user';
}

/** Reads and validates the catalogue. */
export function loadCatalog(file = resourcePath('pkcs11-modules.json')): CatalogEntry[] {
  return catalogSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).modules;
}

/** Expands an entry's names to full paths for the platform (Windows: System32 then SysWOW64). */
export function pathsFor(entry: CatalogEntry, platform: NodeJS.Platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'win32') {
    const root = env.SystemRoot ?? 'C:\\Windows';
    return entry.win32.flatMap((n) => (path.win32.isAbsolute(n) ? [n] : [path.win32.join(root, 'System32', n), path.win32.join(root, 'SysWOW64', n)]));
  }
  return platform === 'darwin' ? entry.darwin : entry.linux;
}

/** User-configured module paths from KYSO_PKCS11_MODULES (separated like PATH). */
export function userModulePaths(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KYSO_PKCS11_MODULES ?? '').split(path.delimiter).filter(Boolean);
}

/**
 * Candidates that exist on this machine: user paths first (kept even when missing, so the
 * user sees why their path fails), then catalogue paths that exist; duplicates removed.
 */
export function discoverModules(opts: { extraPaths?: string[]; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; exists?: (p: string) => boolean; catalog?: CatalogEntry[] } = {}): ModuleCandidate[] {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? existsSync;
  const seen = new Set<string>();
  const out: ModuleCandidate[] = [];
  for (const p of [...(opts.extraPaths ?? []), ...userModulePaths(env)]) {
    if (seen.has(p)) continue;
    seen.add(p);
    out.push({ path: p, vendor: 'user', source: 'user' });
  }
  // The same library often sits behind several paths (Debian symlinks): load it once.
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  for (const p of [...seen]) seen.add(real(p));
  for (const entry of opts.catalog ?? loadCatalog()) {
    for (const p of pathsFor(entry, platform, env)) {
      if (seen.has(p) || !exists(p) || seen.has(real(p))) continue;
      seen.add(p);
      seen.add(real(p));
      out.push({ path: p, vendor: entry.vendor, source: 'catalog' });
    }
  }
  return out;
}
