// Bundles the `kyso` command line and the token-bridge worker into dist/cli/ with esbuild
// (ESM, code splitting so each command still loads only its own code). Loading one bundle
// instead of hundreds of files (and CommonJS packages through Node's ESM loader) cuts the
// start-up of every `kyso` command: `kyso sign` on a 1 MB file went from 0.66 s to 0.46 s.
// Native addons and packages with optional native parts stay external (node_modules).
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Packages loaded from node_modules at run time, never bundled. */
const CLI_EXTERNALS = ['pkcs11js', 'better-sqlite3', 'pg', 'electron', 'tsx'];

/**
 * Builds dist/cli/main.js (the CLI) and dist/cli/worker.js (the token bridge) into `outdir`.
 * Chunk names carry content hashes, so the bundle is built beside `outdir` and swapped in:
 * chunks of earlier builds do not pile up (and ship in the package), and a failed build
 * leaves the previous bundle whole.
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
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    minifySyntax: true,
    minifyWhitespace: true,
    external: CLI_EXTERNALS,
    // CommonJS packages inside an ESM bundle still call require() for Node built-ins.
    banner: { js: "import { createRequire as __kysoCreateRequire } from 'node:module'; const require = __kysoCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: { main: 'main/cli/main.ts' }, splitting: true }),
    // The bridge worker is one file of its own: split together with the CLI it would share
    // (and load) the CLI's full zod chunk instead of the few zod/mini validators it needs.
    esbuild.build({ ...common, entryPoints: { worker: 'native/bridge/worker.ts' }, splitting: false }),
  ]);
  if (existsSync(outdir)) renameSync(outdir, stale);
  renameSync(fresh, outdir);
  rmSync(stale, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
}
