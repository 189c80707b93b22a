/**
 * electron-builder.yml is loaded and validated by electron-builder's own config loader and
 * JSON-schema validator (what `npm run dist` runs first), offline; then the choices that
 * matter for Kyso are checked: native modules unpacked, targets, NSIS language, associations,
 * and the Electron fuses (issue 15.5), which electron-builder's own packager code then flips
 * in a stand-in binary carrying Electron's fuse wire (the real binary cannot be downloaded here).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
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
  linux?: { target: string[]; extraFiles?: Array<{ from: string; to: string }> };
  mac?: { target: string[] };
  electronFuses?: Record<string, boolean>;
}
type ConfigModule = {
  getConfig(projectDir: string, configPath: string | null, fromOptions: object | null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, logger: object): Promise<void>;
};
type LoggerModule = { DebugLogger: new (enabled: boolean) => object };

const { getConfig, validateConfiguration } = require(require.resolve('app-builder-lib/out/util/config/config.js', { paths: [require.resolve('electron-builder')] })) as ConfigModule;
type PackagerModule = { LinuxPackager: { prototype: { doAddElectronFuses(ctx: { appOutDir: string; electronPlatformName: string }): Promise<void> } } };
type FusesModule = {
  SENTINEL: string;
  getCurrentFuseWire(binary: string): Promise<Record<string, unknown>>;
  FuseV1Options: Record<string, number>;
};

const fromBuilder = (id: string) => require.resolve(id, { paths: [require.resolve('electron-builder')] });
const { LinuxPackager } = require(fromBuilder('app-builder-lib')) as PackagerModule;
const fuses = require(require.resolve('@electron/fuses', { paths: [fromBuilder('app-builder-lib')] })) as FusesModule;
const { SENTINEL } = require(require.resolve('@electron/fuses/dist/constants.js', { paths: [fromBuilder('app-builder-lib')] })) as { SENTINEL: string };
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
    // The CLI's code cache written by local runs (dist/cli/cache) never ships.
    expect(files).toContain('!dist/cli/cache/**');
    expect(c.extraResources?.[0]).toMatchObject({ from: 'resources', to: 'resources' });
    expect(c.fileAssociations?.map((f) => f.ext)).toEqual(['pdf']);
    expect(c.protocols?.flatMap((p) => p.schemes)).toEqual(['kyso']);
  });

  it('removes the signing service\'s local CAs at uninstall; the deb scripts keep electron-builder\'s own steps', async () => {
    const c = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    expect(c.nsis?.include).toBe('build/installer.nsh');
    const nsh = readFileSync(path.join(root, c.nsis!.include!), 'utf8');
    expect(nsh).toMatch(/!macro customInstall\n[\s\S]*--kyso-cli service install-ca --if-needed[\s\S]*?!macroend/);
    expect(nsh).toMatch(/!macro customUnInstall\n[\s\S]*\$\{IfNot\} \$\{isUpdated\}[\s\S]*?!macroend/);
    expect(nsh).toMatch(/Get-ChildItem Cert:\\CurrentUser\\Root[^`]*Remove-Item/);
    expect(nsh).toContain('*CN=Kyso Local Signing CA*');
    // Compiled by makensis and checked in test/unit/packaging/nsis.test.ts. The installer runs
    // the CLI through `Kyso.exe --kyso-cli`, never ELECTRON_RUN_AS_NODE (the runAsNode fuse is off).
    expect(nsh).not.toMatch(/^[^;]*ELECTRON_RUN_AS_NODE/m);
    expect(c.electronFuses?.runAsNode).toBe(false);
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
    // The replaced default scripts still put `kyso` on PATH (and take it off), fix the sandbox helper, load AppArmor.
    const post = readFileSync(path.join(root, c.deb!.afterInstall!), 'utf8');
    expect(post).toContain("update-alternatives --install '/usr/bin/${executable}'");
    expect(post).toContain('chrome-sandbox');
    expect(post).toContain('apparmor_parser --replace');
    const rm = readFileSync(path.join(root, c.deb!.afterRemove!), 'utf8');
    expect(rm).toContain("update-alternatives --remove '${executable}'");
    expect(rm).toContain('Kyso Local Signing CA');
    // What the scripts do is run for real in test/integration/packaging/deb-scripts.test.ts.
  });

  it('ships the `kyso` launcher beside the Linux binary (the deb links /usr/bin/kyso to it)', async () => {
    const c = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    expect(c.linux?.extraFiles).toEqual([{ from: 'build/linux/kyso-command.sh', to: 'kyso-command' }]);
    expect(statSync(path.join(root, 'build/linux/kyso-command.sh')).mode & 0o111).not.toBe(0);
    expect(readFileSync(path.join(root, c.deb!.afterInstall!), 'utf8')).toContain("CMD='/opt/${sanitizedProductName}/kyso-command'");
  });

  it('sets the Electron fuses: no run-as-node, NODE_OPTIONS or --inspect; asar only, integrity checked; cookies encrypted', async () => {
    const c = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    expect(c.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
  });

  it("flips those fuses in the packaged binary through electron-builder's own packaging step", async () => {
    const c = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-fuses-'));
    try {
      // A stand-in for the Electron binary: filler, the fuse sentinel, wire version 1, eight
      // fuses as Electron 41 ships them ('1' enabled / '0' disabled), filler.
      const shipped = '11110000';
      const binary = path.join(dir, 'kyso');
      writeFileSync(binary, Buffer.concat([Buffer.alloc(4096, 0x90), Buffer.from(SENTINEL), Buffer.from([1, shipped.length]), Buffer.from(shipped), Buffer.alloc(4096, 0x90)]));
      // The packager's step as `npm run dist` runs it after packing (before signing).
      const packager = Object.create(LinuxPackager.prototype) as PackagerModule['LinuxPackager']['prototype'];
      Object.defineProperty(packager, 'config', { value: c });
      Object.defineProperty(packager, 'executableName', { value: 'kyso' });
      await packager.doAddElectronFuses({ appOutDir: dir, electronPlatformName: 'linux' });
      const wire = await fuses.getCurrentFuseWire(binary);
      const state = (name: string) => String.fromCharCode(wire[fuses.FuseV1Options[name]!] as number);
      expect(state('RunAsNode')).toBe('0');
      expect(state('EnableNodeOptionsEnvironmentVariable')).toBe('0');
      expect(state('EnableNodeCliInspectArguments')).toBe('0');
      expect(state('EnableEmbeddedAsarIntegrityValidation')).toBe('1');
      expect(state('OnlyLoadAppFromAsar')).toBe('1');
      expect(state('EnableCookieEncryption')).toBe('1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
