/**
 * Start-up of the shipped `kyso` (built to dist/cli/main.js; bin/kyso.js imports it): runs the
 * CLI bundle dist/cli/main.cjs through a V8 code cache. Compiling the bundle's JavaScript was
 * most of a short command's start-up (`kyso verify` of a one-signature file: 0.25 s of CPU, of
 * which bare Node is 0.07 s), and Node 20 has no compile cache for modules, so the bundle is one
 * CommonJS script compiled with `vm.Script` and the bytecode V8 made for it on a first run is
 * kept and handed back on the next runs.
 *
 * The cache is one file per bundle content (its SHA-256, fixed at build time), Node version,
 * architecture and command (each command compiles different functions), written on exit when
 * there was none or V8 rejected it (another V8, other flags), by temp file and rename. It lives
 * beside the bundle (`cache/`), or in the user's cache directory when the install is read-only;
 * `KYSO_CLI_CACHE_DIR` overrides, `KYSO_CLI_CACHE=off` disables. Only files of this bundle
 * stay: writing one removes those of other builds.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** SHA-256 (hex) of main.cjs, set by scripts/build-cli.mjs. */
declare const KYSO_CLI_BUNDLE_HASH: string;

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(here, 'main.cjs');

/** The command word of argv (after global options), as a file-name-safe tag. */
function commandTag(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--lang') i++;
    else if (!a.startsWith('-')) return /^[a-z][a-z-]{0,19}$/.test(a) ? a : 'other';
  }
  return 'none';
}

/** Directories the cache may live in, preferred first. */
function cacheDirs(env: NodeJS.ProcessEnv): string[] {
  if (env.KYSO_CLI_CACHE_DIR) return [env.KYSO_CLI_CACHE_DIR];
  const user = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return [path.join(here, 'cache'), path.join(user, 'kyso', 'cli')];
}

/** Writes `data` as `name` in the first directory that takes it; drops other builds' files there. */
function store(dirs: string[], name: string, data: Buffer): void {
  for (const dir of dirs) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, path.join(dir, name));
      for (const f of readdirSync(dir)) if (f.endsWith('.v8cache') && !f.startsWith(KYSO_CLI_BUNDLE_HASH.slice(0, 16))) rmSync(path.join(dir, f), { force: true });
      return;
    } catch {
      // Not writable (a read-only install, a full disk): try the next place, or run uncached.
    }
  }
}

function launch(): void {
  const raw = readFileSync(bundle);
  // A one-byte string when the bundle is ASCII (the build makes it so): read and compiled faster.
  const source = isAscii(raw) ? raw.toString('latin1') : raw.toString('utf8');
  const enabled = process.env.KYSO_CLI_CACHE !== 'off';
  const name = `${KYSO_CLI_BUNDLE_HASH.slice(0, 16)}-${process.version}-${process.arch}-${commandTag(process.argv.slice(2))}.v8cache`;
  const dirs = cacheDirs(process.env);
  let cachedData: Buffer | undefined;
  if (enabled) {
    for (const dir of dirs) {
      const f = path.join(dir, name);
      if (!existsSync(f)) continue;
      try {
        cachedData = readFileSync(f);
        break;
      } catch {
        // Unreadable: compiled without it and written again.
      }
    }
  }
  // The CommonJS wrapper, on one line with the source so positions in stack traces stay right.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  if (enabled && (!cachedData || script.cachedDataRejected)) {
    // On exit, the bytecode of every function this run compiled goes into the cache.
    process.once('exit', () => store(dirs, name, script.createCachedData()));
  }
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;
  const mod = { exports: {} };
  wrapper.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, here);
}

launch();
