/**
 * build/installer.nsh (electron-builder `nsis.include`) compiled by the real makensis, the way
 * electron-builder compiles it: the same header before it (StdUtils.nsh, the command-line flag
 * macros such as ${isUpdated}, then `!include` of the file), the same makensis arguments
 * (-WX: warnings fail the build, UTF-8 input, -D defines escaped by electron-builder's own
 * nsisEscapeString, the script on stdin), and two builds: the installer, where customInstall
 * runs in the install section, and the uninstaller (BUILD_UNINSTALLER), where customUnInstall
 * runs in the uninstall section. Checked in makensis's own listing (-V4) and in the strings
 * it stored in the compiled executable: the Active Setup registration, the commands and their
 * quoting as Windows will split them. The installers cannot be run here (no Windows, no wine).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_NAME_PREFIX } from '../../../main/local-service/tls/trust.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
const fromBuilder = (id: string) => require.resolve(id, { paths: [require.resolve('electron-builder')] });

type ConfigModule = { getConfig(projectDir: string, configPath: string | null, fromOptions: object | null): Promise<{ appId?: string; productName?: string; nsis?: { include?: string; perMachine?: boolean } }> };
type GeneratorModule = {
  NsisScriptGenerator: new () => { flags(names: string[]): void; build(): string };
  nsisEscapeString(s: string): string;
};
const { getConfig } = require(fromBuilder('app-builder-lib/out/util/config/config.js')) as ConfigModule;
const { NsisScriptGenerator, nsisEscapeString } = require(fromBuilder('app-builder-lib/out/targets/nsis/nsisScriptGenerator.js')) as GeneratorModule;
const templates = path.join(path.dirname(fromBuilder('app-builder-lib/package.json')), 'templates', 'nsis');

const probe = spawnSync('makensis', ['-VERSION'], { encoding: 'utf8' });
const makensisVersion = probe.error || probe.status !== 0 ? null : probe.stdout.trim();
if (!makensisVersion) console.warn('\n*** makensis not found (Debian package nsis, installed by scripts/lib.sh ensure_apt): build/installer.nsh is NOT compiled, its tests are skipped ***\n');

const KEY = 'SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\vn.kyso.app.local-ca';
const PS_SCRIPT = `Get-ChildItem Cert:\\CurrentUser\\Root | Where-Object { $_.Subject -like '*CN=${CA_NAME_PREFIX}*' } | Remove-Item`;
/** What the installed app and Windows put in for $INSTDIR and $SYSDIR on a usual PC. */
const INSTDIR = 'C:\\Program Files\\Kyso';
const SYSDIR = 'C:\\WINDOWS\\system32';

/**
 * Splits a command line as CreateProcess's callee does (CommandLineToArgvW / the MS C runtime):
 * the program name ends at the closing quote or the first blank; then 2n backslashes before a
 * quote give n backslashes and toggle quoting, 2n+1 give n and a literal quote.
 */
function windowsArgv(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  if (line.startsWith('"')) {
    const end = line.indexOf('"', 1);
    args.push(line.slice(1, end < 0 ? undefined : end));
    i = end < 0 ? line.length : end + 1;
  } else {
    while (i < line.length && !/[ \t]/.test(line[i]!)) i++;
    args.push(line.slice(0, i));
  }
  for (;;) {
    while (i < line.length && /[ \t]/.test(line[i]!)) i++;
    if (i >= line.length) return args;
    let arg = '';
    let quoted = false;
    while (i < line.length && (quoted || !/[ \t]/.test(line[i]!))) {
      let slashes = 0;
      while (line[i] === '\\') {
        slashes++;
        i++;
      }
      if (line[i] === '"') {
        arg += '\\'.repeat(slashes >> 1);
        if (slashes % 2) arg += '"';
        else quoted = !quoted;
        i++;
      } else {
        arg += '\\'.repeat(slashes);
        if (i < line.length && (quoted || !/[ \t]/.test(line[i]!))) arg += line[i++];
      }
    }
    args.push(arg);
  }
}

/** NSIS 3 variable indexes as stored in a compiled script: $0-$9, $R0-$R9, then the built-ins. */
const VARS = [...Array(10).keys()].map((n) => `$${n}`).concat([...Array(10).keys()].map((n) => `$R${n}`), ['$CMDLINE', '$INSTDIR', '$OUTDIR', '$EXEDIR', '$LANGUAGE']);

/**
 * The strings of a compiled (uncompressed, Unicode) NSIS executable, decoded: UTF-16LE, NUL
 * terminated, a variable stored as code 3 plus its encoded index, a shell folder as code 2 plus
 * two CSIDL bytes (0x25 = CSIDL_SYSTEM, $SYSDIR). Scans both byte alignments; binary noise
 * decodes to strings no assertion looks for.
 */
function storedStrings(exe: Buffer): Set<string> {
  const out = new Set<string>();
  for (const start of [0, 1]) {
    let s = '';
    for (let p = start; p + 1 < exe.length; p += 2) {
      const c = exe.readUInt16LE(p);
      if (c === 0) {
        if (s.length > 3) out.add(s);
        s = '';
      } else if ((c === 2 || c === 3) && p + 3 < exe.length) {
        const w = exe.readUInt16LE((p += 2));
        if (c === 3) s += VARS[(w & 0x7f) | ((w & 0x7f00) >> 1)] ?? '$?';
        else s += w === 0x2525 ? '$SYSDIR' : '$?';
      } else s += String.fromCharCode(c);
    }
  }
  return out;
}

interface Build {
  status: number | null;
  /** makensis's output: the -V4 listing of every instruction, warnings, errors. */
  output: string;
  strings: Set<string>;
}

it("splits command lines as Windows does (the C runtime's documented examples)", () => {
  expect(windowsArgv('"C:\\Program Files\\x.exe" "a b c" d e')).toEqual(['C:\\Program Files\\x.exe', 'a b c', 'd', 'e']);
  expect(windowsArgv('x "ab\\"c" "\\\\" d')).toEqual(['x', 'ab"c', '\\', 'd']);
  expect(windowsArgv('x a\\\\\\b d"e f"g h')).toEqual(['x', 'a\\\\\\b', 'de fg', 'h']);
  expect(windowsArgv('x a\\\\\\"b c d')).toEqual(['x', 'a\\"b', 'c', 'd']);
  expect(windowsArgv('x a\\\\\\\\"b c" d e')).toEqual(['x', 'a\\\\b c', 'd', 'e']);
});

describe.skipIf(!makensisVersion)(`build/installer.nsh, compiled by makensis ${makensisVersion ?? '(missing)'}`, () => {
  let dir: string;
  let nshPath: string;
  let nsh: string;
  let defines: Record<string, string | null>;
  let installer: Build;
  let uninstaller: Build;

  /**
   * The harness: electron-builder's header (NsisTarget.computeCommonInstallerScriptHeader),
   * then the lines of its templates that reach the hooks (common.nsh: APP_EXECUTABLE_FILENAME;
   * installSection.nsh: customInstall in Section "install"; uninstaller.nsh: customUnInstall in
   * Section "un.Uninstall"; installer.nsi in BUILD_UNINSTALLER: .onInit writes the uninstaller).
   *
   * Stubbed, because their DLLs are not in Debian's NSIS (electron-builder downloads them from
   * GitHub; offline here): the StdUtils plug-in. Its real StdUtils.nsh from app-builder-lib is
   * used with each `StdUtils::<Function> /NOUNLOAD` plug-in call replaced by `Nop`, so the
   * macros keep their real names and parameters (${StdUtils.ExecShellAsUser} out file verb
   * args, ${StdUtils.TestParameter} behind ${isUpdated}) and only the DLL call is missing.
   * The UAC plug-in is not stubbed: installer.nsh uses none of its macros (a UAC_ use would
   * fail this compile).
   */
  function compile(include: string, uninstall: boolean): Build {
    const header = [
      `!include "${path.join(dir, 'StdUtils.nsh')}"`,
      `!addincludedir "${path.join(templates, 'include')}"`,
      readFileSync(path.join(dir, 'flags.nsh'), 'utf8'),
      `!addincludedir "${path.join(root, 'build')}"`,
      `!include "${include}"`,
    ].join('\n');
    const body = `
!include x64.nsh
!define APP_EXECUTABLE_FILENAME "\${PRODUCT_FILENAME}.exe"
Name "\${PRODUCT_NAME}"
RequestExecutionLevel admin
InstallDir "$PROGRAMFILES64\\\${APP_FILENAME}"

!ifdef BUILD_UNINSTALLER
Function .onInit
  WriteUninstaller "\${UNINSTALLER_OUT_FILE}"
  SetErrorLevel 0
  Quit
FunctionEnd
!endif

Section "install" INSTALL_SECTION_ID
  !ifndef BUILD_UNINSTALLER
    SetOutPath $INSTDIR
    !ifmacrodef customInstall
      !insertmacro customInstall
    !endif
  !endif
SectionEnd

!ifdef BUILD_UNINSTALLER
Section "un.Uninstall"
  SectionIn RO
  !ifmacrodef customUnInstall
    !insertmacro customUnInstall
  !endif
SectionEnd
!endif
`;
    const out = path.join(dir, uninstall ? 'uninstaller-writer.exe' : 'installer.exe');
    rmSync(out, { force: true });
    const d = { ...defines, ...(uninstall ? { BUILD_UNINSTALLER: null, UNINSTALLER_OUT_FILE: path.join(dir, 'uninstaller.exe') } : {}) };
    const args = ['-WX', '-INPUTCHARSET', 'UTF8', '-V4', '-DLOGICLIB_VERBOSITY=4'];
    for (const [k, v] of Object.entries(d)) args.push(v === null ? `-D${k}` : `-D${k}=${nsisEscapeString(v)}`);
    // Uncompressed, so the stored strings can be read back.
    args.push(`-XOutFile "${out}"`, '-XUnicode true', '-XSetCompress off', '-');
    const r = spawnSync('makensis', args, { input: `${header}\n${body}`, cwd: templates, encoding: 'utf8', timeout: 30_000 });
    let strings = new Set<string>();
    try {
      strings = storedStrings(readFileSync(out));
    } catch {
      // no executable: the compile failed
    }
    return { status: r.status, output: `${r.stdout}\n${r.stderr}`, strings };
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-nsis-'));
    const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    expect(config.nsis?.perMachine).toBe(true);
    nshPath = path.join(root, config.nsis!.include!);
    nsh = readFileSync(nshPath, 'utf8');
    const productName = config.productName!;
    const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    // The defines electron-builder passes (NsisTarget) that matter here; per-machine, x64.
    defines = { APP_ID: config.appId!, PRODUCT_NAME: productName, PRODUCT_FILENAME: productName, APP_FILENAME: productName, VERSION: version, INSTALL_MODE_PER_ALL_USERS: null, INSTALL_MODE_PER_ALL_USERS_REQUIRED: null, APP_64: null };

    const stdUtils = readFileSync(path.join(templates, 'include', 'StdUtils.nsh'), 'utf8');
    let stubbed = 0;
    const stub = stdUtils.replace(/^(\s*)StdUtils::(\w+) \/NOUNLOAD\s*$/gm, (_m, indent: string, fn: string) => {
      stubbed++;
      return `${indent}Nop ; stub: StdUtils::${fn} (plug-in DLL not in Debian's NSIS)`;
    });
    expect(stubbed).toBeGreaterThan(40);
    expect(stub).not.toMatch(/^\s*StdUtils::/m);
    writeFileSync(path.join(dir, 'StdUtils.nsh'), stub);
    // The command-line flags electron-builder defines (${isUpdated} for --updated, ...), by its own generator.
    const flags = new NsisScriptGenerator();
    flags.flags(['updated', 'force-run', 'keep-shortcuts', 'no-desktop-shortcut', 'delete-app-data', 'allusers', 'currentuser']);
    writeFileSync(path.join(dir, 'flags.nsh'), flags.build());

    installer = compile(nshPath, false);
    uninstaller = compile(nshPath, true);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('compiles into the installer and the uninstaller with warnings as errors', () => {
    expect(installer.status, installer.output.slice(-3000)).toBe(0);
    expect(uninstaller.status, uninstaller.output.slice(-3000)).toBe(0);
    expect(installer.output).toContain('!insertmacro: customInstall');
    expect(uninstaller.output).toContain('!insertmacro: customUnInstall');
    expect(uninstaller.output).toContain('Generating uninstaller');
  });

  it('fails to compile a copy with a syntax error, and a copy with only a warning', () => {
    const broken = path.join(dir, 'broken.nsh');
    writeFileSync(broken, nsh.replace(/(WriteRegDWORD HKLM "\$\{KYSO_ACTIVE_SETUP_KEY\}" "IsInstalled") 1/, '$1'));
    expect(readFileSync(broken, 'utf8')).not.toBe(nsh);
    const r = compile(broken, false);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/WriteRegDWORD expects 4 parameters[\s\S]*Error in macro kysoActiveSetup/);

    // An unused variable is only a warning: -WX makes it fatal, as in `npm run dist`.
    const warned = path.join(dir, 'warned.nsh');
    writeFileSync(warned, `Var /GLOBAL kysoUnused\n${nsh}`);
    const w = compile(warned, false);
    expect(w.status).not.toBe(0);
    expect(w.output).toMatch(/warning[\s\S]*kysoUnused/i);
  });

  it('install: registers the Active Setup component (64-bit view) that runs install-ca --if-needed for every account', () => {
    const listing = installer.output;
    const at = (needle: string) => {
      const i = listing.indexOf(needle);
      expect(i, needle).toBeGreaterThan(0);
      return i;
    };
    const view = at('SetRegView: 64');
    const stub = at(`WriteRegStr: HKLM\\${KEY}\\StubPath="$INSTDIR\\Kyso.exe" --kyso-cli service install-ca --if-needed\n`);
    expect(view).toBeLessThan(stub);
    at(`WriteRegStr: HKLM\\${KEY}\\=Kyso\n`);
    at(`WriteRegStr: HKLM\\${KEY}\\Version=$R2,$R1$R0,$R4$R5,$R6\n`);
    at(`WriteRegDWORD: HKLM\\${KEY}\\IsInstalled=1\n`);
    expect(at('SetRegView: lastused')).toBeGreaterThan(stub);

    // As stored in the executable, then as Windows splits it once $INSTDIR is filled in.
    const stored = `"$INSTDIR\\Kyso.exe" --kyso-cli service install-ca --if-needed`;
    expect(installer.strings).toContain(stored);
    expect(installer.strings).toContain(KEY);
    expect(windowsArgv(stored.replace('$INSTDIR', INSTDIR))).toEqual([`${INSTDIR}\\Kyso.exe`, '--kyso-cli', 'service', 'install-ca', '--if-needed']);
  });

  it('install: the Version is "YYYY,MMDD,HHMM,SS" of the UTC install time, so it grows with every install', () => {
    // FileFunc's GetTime returns day, month, year, day name, hour, minute, second ("LS": UTC).
    expect(nsh).toMatch(/\$\{GetTime\} "" "LS" \$R0 \$R1 \$R2 \$R3 \$R4 \$R5 \$R6/);
    expect(installer.strings).toContain('$R2,$R1$R0,$R4$R5,$R6');
    expect(uninstaller.strings).toContain('$R2,$R1$R0,$R4$R5,$R6');
  });

  it('install: runs install-ca now for the desktop user, not elevated, and not in silent installs', () => {
    const listing = installer.output;
    // A fresh install trusts (installing is a choice); an update only if needed (keeps an earlier uninstall-ca).
    const fresh = listing.indexOf('!insertmacro: _StdU_ExecShlUser\nPush: $INSTDIR\\Kyso.exe\nPush: open\nPush: --kyso-cli service install-ca\n');
    const update = listing.indexOf('!insertmacro: _StdU_ExecShlUser\nPush: $INSTDIR\\Kyso.exe\nPush: open\nPush: --kyso-cli service install-ca --if-needed\n');
    expect(fresh).toBeGreaterThan(0);
    expect(update).toBeGreaterThan(0);
    expect(nsh).toMatch(/\$\{IfNot\} \$\{Silent\}\s+Push \$0\s+\$\{If\} \$\{isUpdated\}\s+\$\{StdUtils\.ExecShellAsUser\}[^\n]*--if-needed"\s+\$\{Else\}\s+\$\{StdUtils\.ExecShellAsUser\}[^\n]*install-ca"\s+\$\{EndIf\}/);
    // No elevated run of anything by the installer itself.
    expect(listing).not.toMatch(/^(Exec|ExecWait|ExecShell|Plugin command: Exec\w*):? /m);
  });

  it('uninstall: only when not an update (--updated), everything under one ${isUpdated} test', () => {
    // The macro's whole body (comments aside) is the guarded removal.
    const body = /!macro customUnInstall\n([\s\S]*?)!macroend/.exec(nsh)![1]!.replace(/^\s*;.*$/gm, '').trim();
    expect(body.split(/\s*\n\s*/)).toEqual(['${IfNot} ${isUpdated}', '!insertmacro kysoForgetLocalCAs', '${EndIf}']);
    // ${isUpdated} is electron-builder's test of the "updated" command-line flag, evaluated first.
    const listing = uninstaller.output;
    const test = listing.indexOf('!insertmacro: _isUpdated\n!insertmacro: _StdU_TestParameter\nPush: updated\n');
    expect(test).toBeGreaterThan(0);
    expect(test).toBeLessThan(listing.indexOf('!insertmacro: kysoForgetLocalCAs'));
    expect(listing.indexOf('!insertmacro: end of kysoForgetLocalCAs')).toBeLessThan(listing.lastIndexOf('!insertmacro: end of customUnInstall'));
  });

  it("uninstall: runs the app's uninstall-ca, then the PowerShell removal, for this account", () => {
    const listing = uninstaller.output;
    const app = listing.indexOf('ExecWait: ""$INSTDIR\\Kyso.exe" --kyso-cli service uninstall-ca --no-opt-out" (->$0)');
    const ps = listing.indexOf('Plugin command: ExecToLog "$SYSDIR\\WindowsPowerShell\\v1.0\\powershell.exe" -NoProfile');
    expect(app).toBeGreaterThan(0);
    expect(ps).toBeGreaterThan(app);
    const stored = '"$INSTDIR\\Kyso.exe" --kyso-cli service uninstall-ca --no-opt-out';
    expect(uninstaller.strings).toContain(stored);
    expect(windowsArgv(stored.replace('$INSTDIR', INSTDIR))).toEqual([`${INSTDIR}\\Kyso.exe`, '--kyso-cli', 'service', 'uninstall-ca', '--no-opt-out']);
    // Nothing of the install side in the uninstaller.
    expect(listing).not.toContain('install-ca --if-needed');
  });

  it('uninstall: re-registers Active Setup with the PowerShell removal, quoted to survive the registry and CreateProcess', () => {
    const listing = uninstaller.output;
    const ps = listing.indexOf('Plugin command: ExecToLog');
    const stub = listing.indexOf(`WriteRegStr: HKLM\\${KEY}\\StubPath="$SYSDIR\\WindowsPowerShell\\v1.0\\powershell.exe" -NoProfile`);
    expect(stub).toBeGreaterThan(ps);
    expect(listing.indexOf(`WriteRegStr: HKLM\\${KEY}\\Version=$R2,$R1$R0,$R4$R5,$R6`)).toBeGreaterThan(stub);
    expect(listing).toContain(`WriteRegDWORD: HKLM\\${KEY}\\IsInstalled=1`);
    expect(listing.lastIndexOf('SetRegView: 64')).toBeLessThan(stub);

    // The one string nsExec runs now and Windows runs at each logon: `$$_` stored as `$_`.
    const command = [...uninstaller.strings].find((s) => s.startsWith('"$SYSDIR\\WindowsPowerShell\\v1.0\\powershell.exe" '));
    expect(command).toBeDefined();
    expect(command).toContain('{ $_.Subject');
    const line = command!.replace('$SYSDIR', SYSDIR);
    expect(windowsArgv(line)).toEqual([`${SYSDIR}\\WindowsPowerShell\\v1.0\\powershell.exe`, '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-WindowStyle', 'Hidden', '-Command', PS_SCRIPT]);
    // Were it run through cmd.exe instead: no %VAR% to expand, every | & < > ^ inside quotes.
    expect(line).not.toContain('%');
    expect(line.split('"').filter((_s, i) => i % 2 === 0).join('')).not.toMatch(/[|&<>^]/);
  });
});
