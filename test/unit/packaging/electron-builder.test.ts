/**
 * electron-builder.yml is loaded and validated by electron-builder's own config loader and
 * JSON-schema validator (what `npm run dist` runs first), offline; then the choices that
 * matter for Kyso are checked: native modules unpacked, targets, NSIS language, associations.
 */
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
  nsis?: { perMachine?: boolean; installerLanguages?: string[]; oneClick?: boolean };
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
});
