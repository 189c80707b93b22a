/** The installed binary's command-line prefix (main/cli/packaged.ts): who may turn the app into the CLI. */
import { describe, expect, it } from 'vitest';
import { CLI_FLAG, commandLineArgs, packagedCliArgs } from '../../../main/cli/packaged.js';

describe('packagedCliArgs', () => {
  it('takes the command after the flag, with or without the launcher switches before it', () => {
    expect(packagedCliArgs([CLI_FLAG, 'service', 'install-ca', '--if-needed'])).toEqual(['service', 'install-ca', '--if-needed']);
    expect(packagedCliArgs(['--ozone-platform=headless', '--disable-gpu', CLI_FLAG, 'verify', 'a.pdf'])).toEqual(['verify', 'a.pdf']);
    expect(packagedCliArgs([CLI_FLAG])).toEqual([]);
  });

  it('opens the app for files, links and anything a link could smuggle the flag behind', () => {
    expect(packagedCliArgs([])).toBeNull();
    expect(packagedCliArgs(['/home/ana/a.pdf'])).toBeNull();
    // A kyso:// link comes first on the command line: arguments after it never make a command.
    expect(packagedCliArgs(['kyso://open', CLI_FLAG, 'server', 'start'])).toBeNull();
    expect(packagedCliArgs(['C:\\Users\\ana\\a.pdf', CLI_FLAG, 'service'])).toBeNull();
    // Only the two launcher switches may precede it, not any Chromium switch.
    expect(packagedCliArgs(['--gpu-launcher=calc.exe', CLI_FLAG, 'verify'])).toBeNull();
    expect(packagedCliArgs(['--ozone-platform=x11', CLI_FLAG, 'verify'])).toBeNull();
  });

  it('leaves a plain CLI argv (node bin/kyso.js ...) as it is', () => {
    expect(commandLineArgs(['verify', 'a.pdf'])).toEqual(['verify', 'a.pdf']);
    expect(commandLineArgs(['--disable-gpu', CLI_FLAG, 'verify'])).toEqual(['verify']);
  });
});
