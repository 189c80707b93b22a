/**
 * The one terminal line reader (PIN and password prompts, the service's terminal consent) on
 * a real pseudo-terminal: util-linux `script` gives the child a tty, and what we type arrives
 * as a user's keys would. A PIN is never echoed; a visible answer is, and Backspace edits it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-tty-'));
const pinModule = path.resolve('main/cli/pin.ts');
const child = path.join(dir, 'read-line.mts');
writeFileSync(child, `import { terminalLine } from ${JSON.stringify(pinModule)};
const ctl = new AbortController();
if (process.argv[3] === 'abort') setTimeout(() => ctl.abort(), 300);
try {
  const v = await terminalLine('Q? ', { hidden: process.argv[2] === 'hidden', signal: ctl.signal });
  process.stdout.write('[got:' + v + ']');
} catch (e) {
  process.stdout.write('[error:' + (e as { code?: string }).code + ']');
}
`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the reader under a pty, types `keys` once it is waiting, returns what the terminal showed. */
function typed(mode: 'hidden' | 'shown', keys: string, extra = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const cmd = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(child)} ${mode} ${extra}`;
    const p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('Q? ') && keys) {
        p.stdin.write(keys);
        keys = '';
      }
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('error', reject);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe('terminalLine on a real tty', () => {
  it('a hidden answer (a PIN) is read and never shown', async () => {
    const out = await typed('hidden', '842913\r');
    expect(out).toContain('[got:842913]');
    expect(out.replace('[got:842913]', '')).not.toContain('842913');
  }, 30_000);

  it('a visible answer is echoed, and Backspace removes the last character on screen too', async () => {
    const out = await typed('shown', 'ab\x7fcd\r');
    expect(out).toContain('[got:acd]');
    expect(out).toContain('ab\b \bcd');
  }, 30_000);

  it('arrow keys and other control keys never enter a PIN; Ctrl-U clears the line', async () => {
    // Left arrow (CSI), F1 (SS3), a lone ESC with its key, Ctrl-D on a non-empty line, Ctrl-U.
    const out = await typed('hidden', '12\x1b[D34\x1bOP\x1bx\x04\x15' + '56\r');
    expect(out).toContain('[got:56]');
    expect(await typed('hidden', '7\x1b[1;5C8\x01\r')).toContain('[got:78]');
  }, 30_000);

  it('Ctrl-D on an empty line and the end of input cancel', async () => {
    expect(await typed('hidden', '\x04')).toContain('[error:cancelled]');
    const piped = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, 'hidden'], { stdio: ['pipe', 'pipe', 'ignore'] });
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      p.on('close', () => resolve(out));
      p.stdin.end('12');
    });
    expect(piped).toContain('[error:cancelled]');
  }, 30_000);

  it('Ctrl-C cancels, and so does the abort signal', async () => {
    expect(await typed('hidden', '12\x03')).toContain('[error:cancelled]');
    expect(await typed('hidden', '', 'abort')).toContain('[error:cancelled]');
  }, 30_000);
});
