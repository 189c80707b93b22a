/**
 * Reads a PIN for a CLI command: from an environment variable (`--pin-env VAR`), a file
 * (`--pin-file F`, first line) or a hidden prompt on a terminal. Never from a plain argument
 * (it would show in `ps` and shell history). The PIN is returned to the caller only: never
 * logged, echoed or put in an error. Also used for `--so-pin-env`, `--new-pin-env`, ...
 */
import { readFileSync } from 'node:fs';
import { KysoError } from '../api/errors.js';
import type { OptionSpecs, ParsedArgs } from './spec.js';
import { tr, type CliIo } from './io.js';

/** Where to read one PIN from. */
export interface PinSource {
  /** Name of the environment variable holding the PIN. */
  env?: string;
  /** File whose first line is the PIN. */
  file?: string;
  /** Message key of the TTY prompt. */
  promptKey?: string;
}

/** A kind of PIN a command reads. */
export type PinKind = 'pin' | 'so-pin' | 'new-pin';

/**
 * Option entries for a PIN kind: `--<kind>-env VAR` and `--<kind>-file FILE`, with their help
 * texts. The variable `--<kind>-env` names never reaches a token-bridge process (secretEnv).
 */
export function pinOptions(kind: PinKind = 'pin'): OptionSpecs {
  return {
    [`${kind}-env`]: { type: 'string', value: 'VAR', help: `cli.opt.${kind}-env`, secretEnv: true },
    [`${kind}-file`]: { type: 'string', value: 'FILE', help: `cli.opt.${kind}-file` },
  };
}

/** Picks the PinSource of a kind out of parsed options. */
export function pinSourceFrom(options: ParsedArgs['options'], kind: PinKind = 'pin', promptKey = 'token.pinPrompt'): PinSource {
  const env = options[`${kind}-env`];
  const file = options[`${kind}-file`];
  return { env: typeof env === 'string' ? env : undefined, file: typeof file === 'string' ? file : undefined, promptKey };
}

/** Prompts on the terminal without echo; resolves to the line typed. */
export type HiddenPrompt = (question: string) => Promise<string>;

/** True when the source names an env var or a file (a PIN was supplied non-interactively). */
export function hasPinSource(src: PinSource): boolean {
  return src.env !== undefined || src.file !== undefined;
}

/** Reads the PIN; throws a clear KysoError when no source is usable. */
export async function readPin(io: CliIo, src: PinSource, prompt: HiddenPrompt = hiddenPrompt): Promise<string> {
  if (src.env !== undefined) {
    const v = io.env[src.env];
    if (v === undefined || v === '') throw new KysoError('tokenPinEnvMissing', { name: src.env });
    return v;
  }
  if (src.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(src.file, 'utf8');
    } catch {
      throw new KysoError('tokenPinFileUnreadable', { path: src.file });
    }
    const pin = text.split(/\r?\n/)[0] ?? '';
    // An empty PIN would reach the token and cost one of its few tries.
    if (!pin.trim()) throw new KysoError('tokenPinFileEmpty', { path: src.file });
    return pin;
  }
  if (!io.isTty) throw new KysoError('tokenPinRequired');
  const pin = await prompt(tr(io, src.promptKey ?? 'token.pinPrompt'));
  if (!pin) throw new KysoError('cancelled');
  return pin;
}

/** Hidden prompt on process.stdin/stderr: raw mode, no echo, Enter ends, Ctrl-C cancels. */
export function hiddenPrompt(question: string): Promise<string> {
  return terminalLine(question, { hidden: true });
}

/** CSI and SS3 sequences (arrow, function keys) and a lone ESC with the key after it. */
// eslint-disable-next-line no-control-regex -- matching the terminal's ESC is the point
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?/gs;

/**
 * Reads one line on the terminal in raw mode (echoed unless hidden): Enter ends it, Backspace
 * and Ctrl-U edit, other control keys are ignored; Ctrl-C, Ctrl-D on an empty line, the end
 * of input or the signal cancel. `write` is where the question and echo go (stderr).
 */
export function terminalLine(question: string, o: { hidden: boolean; signal?: AbortSignal; write?: (text: string) => void }): Promise<string> {
  const stdin = process.stdin;
  const write = o.write ?? ((text: string) => void process.stderr.write(text));
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = stdin.isRaw;
    // Raw mode before the question: keys typed as soon as it shows (Ctrl-C included) reach
    // this reader, not the terminal's line discipline.
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    write(question);
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      o.signal?.removeEventListener('abort', onAbort);
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
      write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onAbort = () => finish(new KysoError('cancelled'));
    const onEnd = () => finish(new KysoError('cancelled'));
    const erase = (n: number) => {
      if (!o.hidden) write('\b \b'.repeat(n));
    };
    const onData = (chunk: string) => {
      // Raw mode has no line editing: arrow and function keys arrive as escape sequences and
      // must not become part of a PIN (a wrong PIN costs one of the token's few tries).
      for (const ch of chunk.replace(ESCAPE_SEQUENCE, '')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new KysoError('cancelled'));
        if (ch === '\u0004') {
          if (!value) return finish(new KysoError('cancelled'));
        } else if (ch === '\u0015') {
          erase(value.length);
          value = '';
        } else if (ch === '\u007f' || ch === '\b') {
          if (value) erase(1);
          value = value.slice(0, -1);
        } else if (ch >= ' ') {
          value += ch;
          if (!o.hidden) write(ch);
        }
      }
    };
    if (o.signal?.aborted || stdin.readableEnded) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    stdin.once('end', onEnd);
    stdin.on('data', onData);
  });
}

/**
 * The PIN for a login: from the given source, or null (the token's own PIN pad collects it)
 * when the token has a protected authentication path and no source was given.
 */
export async function readLoginPin(io: CliIo, src: PinSource, protectedAuthPath: boolean, prompt: HiddenPrompt = hiddenPrompt): Promise<string | null> {
  if (protectedAuthPath && !hasPinSource(src)) return null;
  return readPin(io, src, prompt);
}
