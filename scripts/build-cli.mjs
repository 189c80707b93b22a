// Bundles the `kyso` command line and the token-bridge worker into dist/cli/ with esbuild.
// Loading one bundle instead of hundreds of files (and CommonJS packages through Node's ESM
// loader) cuts the start-up of every `kyso` command: `kyso sign` on a 1 MB file went from
// 0.66 s to 0.46 s. The CLI is one CommonJS script (main.cjs) started by a small launcher
// (main.js, from main/cli/launch.ts) through a V8 code cache: Node 20 cannot cache the
// compilation of ES modules, and compiling the bundle was most of a short command's CPU time.
// Modules the commands import dynamically stay lazy inside it (esbuild wraps them), so a
// command still runs only its own code. Native addons and packages with optional native parts
// stay external (node_modules).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Packages loaded from node_modules at run time, never bundled. */
const CLI_EXTERNALS = ['pkcs11js', 'better-sqlite3', 'pg', 'electron', 'tsx'];

/**
 * The bundle with every non-ASCII character written as a \u escape. esbuild escapes them in
 * strings, templates and names but not inside regular expression literals, where the escape
 * means the same character (with or without the u flag); an ASCII bundle is read and compiled
 * as a one-byte string (a two-byte one cost ~15 ms of every start).
 */
function asciiOnly(js) {
  return js.replace(/[^\x00-\x7f]/g, (c, at) => {
    // After a backslash the escape would change meaning (an identity escape): refuse.
    if (js[at - 1] === '\\') throw new Error(`build-cli: escaped non-ASCII character at ${at}`);
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * Builds dist/cli/main.js (the launcher), main.cjs (the CLI) and worker.js (the token bridge)
 * into `outdir`. The bundle is built beside `outdir` and swapped in: files of earlier builds do
 * not pile up (and ship in the package), and a failed build leaves the previous bundle whole.
 */
export async function buildCli(outdir = path.join(root, 'dist', 'cli')) {
  const esbuild = await import('esbuild');
  const fresh = `${outdir}.new`;
  const stale = `${outdir}.old`;
  rmSync(fresh, { recursive: true, force: true });
  rmSync(stale, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    outdir: fresh,
    bundle: true,
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    minifySyntax: true,
    minifyWhitespace: true,
    external: CLI_EXTERNALS,
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { main: 'main/cli/main.ts' },
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
      // Every import() becomes a require(): vm.Script code has no module loader of its own.
      supported: { 'dynamic-import': false },
      define: { 'import.meta.url': '__kysoBundleUrl' },
      banner: { js: "var __kysoBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    }),
    // The bridge worker is one file of its own: every `kyso sign` waits for it to start, and
    // it needs only the few zod/mini validators, not the CLI's code.
    esbuild.build({
      ...common,
      entryPoints: { worker: 'native/bridge/worker.ts' },
      format: 'esm',
      // CommonJS packages inside an ESM bundle still call require() for Node built-ins.
      banner: { js: "import { createRequire as __kysoCreateRequire } from 'node:module'; const require = __kysoCreateRequire(import.meta.url);" },
    }),
  ]);
  const bundleFile = path.join(fresh, 'main.cjs');
  const bundle = asciiOnly(readFileSync(bundleFile, 'utf8'));
  writeFileSync(bundleFile, bundle);
  // The launcher names its code cache after the bundle's content.
  const hash = createHash('sha256').update(bundle).digest('hex');
  await esbuild.build({ ...common, sourcemap: false, entryPoints: { main: 'main/cli/launch.ts' }, format: 'esm', define: { KYSO_CLI_BUNDLE_HASH: JSON.stringify(hash) } });
  if (existsSync(outdir)) renameSync(outdir, stale);
  renameSync(fresh, outdir);
  rmSync(stale, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
}
