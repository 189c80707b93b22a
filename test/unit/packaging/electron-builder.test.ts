/**
 * electron-builder.yml is loaded and validated by electron-builder's own config loader and
 * JSON-schema validator (what `npm run dist` runs first), offline; then the choices that
 * matter for Kyso are checked: native modules unpacked, targets, NSIS language, associations.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId?: string;
  productName?: string;
  files?: unknown[];
  asarUnpack?: string[];
  npmRebuild?: boolean;
  extraResources?: { from: string; to: string }[];
  fileAssociations?: { ext: string }[];
  protocols?: { schemes: string[] }[];
  win?: { target: { target: string }[] };
  nsis?: { perMachine?: boolean; installerLanguages?: string[]; oneClick?: boolean; include?: string };
  deb?: { recommends?: string[]; afterInstall?: string; afterRemove?: string };
  linux?: { target: string[] };
  mac?: { target: string[] };
}
type ConfigModule = {
  getConfig(projectDir: string, configPath: string | null, fromOptions: object | null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, logger: object): Promise<void>;
};
type LoggerModule = { DebugLogger: new (enabled: boolean) => object };

const { getConfig, validateConfiguration } = require(require.resolve('app-builder-lib/out/util/config/config.js', { paths: [require.resolve('electron-builder')] })) as ConfigModule;
const { DebugLogger } = require(require.resolve('builder-util/out/DebugLogger.js', { paths: [require.resolve('electron-builder')] })) as LoggerModule;

describe('electron-builder.yml', () => {
  it('passes electron-builder validation', async () => {
    const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is rejected by the same validator when it contains an unknown option', async () => {
    const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    await expect(validateConfiguration({ ...config, nsis: { ...config.nsis, noSuchOption: true } as BuilderConfig['nsis'] }, new DebugLogger(false))).rejects.toThrow(/Invalid configuration object[\s\S]*configuration\.nsis/);
  });

  it('packs the app for Windows (NSIS, per-machine, Vietnamese), Linux (deb, AppImage) and macOS (dmg)', async () => {
    const c = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    expect(c.appId).toBe('vn.kyso.app');
    expect(c.productName).toBe('Kyso');
    expect(c.win?.target.map((t) => t.target)).toEqual(['nsis']);
    expect(c.nsis).toMatchObject({ perMachine: true, oneClick: false, installerLanguages: ['vi_VN'] });
    expect(c.linux?.target).toEqual(['deb', 'AppImage']);
    expect(c.mac?.target).toEqual(['dmg']);
  });

  it('unpacks native modules from asar, rebuilds them for Electron and ships resources/', async () => {
    const c = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    expect(c.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/pkcs11js/**', 'node_modules/better-sqlite3/**']));
    expect(c.npmRebuild).toBe(true);
    // getConfig normalizes `files` into [{ filter: [...] }].
    const files = (c.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : ((f as { filter?: string[] }).filter ?? [])));
    expect(files).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
    expect(c.extraResources?.[0]).toMatchObject({ from: 'resources', to: 'resources' });
    expect(c.fileAssociations?.map((f) => f.ext)).toEqual(['pdf']);
    expect(c.protocols?.flatMap((p) => p.schemes)).toEqual(['kyso']);
  });

  it('trusts the signing service\'s local CA at install and removes it at uninstall (NSIS include, deb scripts)', async () => {
    const c = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    expect(c.nsis?.include).toBe('build/installer.nsh');
    const nsh = readFileSync(path.join(root, c.nsis!.include!), 'utf8');
    expect(nsh).toMatch(/!macro customInstall[\s\S]*kysoServiceCa "install-ca"[\s\S]*!macroend/);
    expect(nsh).toMatch(/!macro customUnInstall[\s\S]*kysoServiceCa "uninstall-ca"[\s\S]*!macroend/);
    // The CLI the installer runs is the bundle `npm run build` writes (dist/cli/main.js), from the app archive.
    expect(nsh).toContain('resources\\app.asar\\dist\\cli\\main.js" service ${VERB}');
    expect(readFileSync(path.join(root, 'scripts', 'build-cli.mjs'), 'utf8')).toContain("entryPoints: { main: 'main/cli/main.ts' }");
    expect(c.deb?.recommends).toContain('libnss3-tools');
    for (const script of [c.deb!.afterInstall!, c.deb!.afterRemove!]) {
      const text = readFileSync(path.join(root, script), 'utf8');
      // electron-builder fills ${name} (letters only) and fails on a name it does not define.
      const names = [...text.matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]);
      expect(names.every((n) => ['executable', 'sanitizedProductName', 'productFilename'].includes(n!)), names.join()).toBe(true);
      const filled = text.replace(/\$\{([a-zA-Z]+)\}/g, (_m, n: string) => (n === 'executable' ? 'kyso' : 'Kyso'));
      const r = spawnSync('bash', ['-n'], { input: filled, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    // The replaced default postinst still puts `kyso` on PATH and fixes the sandbox helper.
    const post = readFileSync(path.join(root, c.deb!.afterInstall!), 'utf8');
    expect(post).toContain("update-alternatives --install '/usr/bin/${executable}'");
    expect(post).toContain('chrome-sandbox');
    expect(post).toContain('service install-ca');
  });
});
