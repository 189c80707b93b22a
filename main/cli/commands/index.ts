/**
 * Registry of `kyso` subcommands. Entries are lazy: a command's module (and everything it
 * pulls in: PDF engine, token bridge, server, React-free host...) is imported only when that
 * command runs, so `kyso sign` does not pay for loading the server or the validator.
 */
import type { Command } from '../io.js';

/** A registered subcommand: its name and help summary, and how to load it. */
export interface CommandEntry {
  name: string;
  /** Message key of the one-line summary shown by `kyso --help`. */
  summaryKey: string;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `kyso --help` lists them. */
export const commands: CommandEntry[] = [
  { name: 'app', summaryKey: 'cli.cmd.app', load: async () => (await import('./app.js')).appCommand },
  { name: 'token', summaryKey: 'cli.cmd.token', load: async () => (await import('./token.js')).tokenCommand },
  { name: 'sign', summaryKey: 'cli.cmd.sign', load: async () => (await import('./sign.js')).signCommand },
  { name: 'extend', summaryKey: 'cli.cmd.extend', load: async () => (await import('./extend.js')).extendCommand },
  { name: 'verify', summaryKey: 'cli.cmd.verify', load: async () => (await import('./verify.js')).verifyCommand },
  { name: 'trust', summaryKey: 'cli.cmd.trust', load: async () => (await import('./trust.js')).trustCommand },
  { name: 'send', summaryKey: 'cli.cmd.send', load: async () => (await import('./send.js')).sendCommand },
  { name: 'inbox', summaryKey: 'cli.cmd.inbox', load: async () => (await import('./inbox.js')).inboxCommand },
  { name: 'outbox', summaryKey: 'cli.cmd.outbox', load: async () => (await import('./outbox.js')).outboxCommand },
  { name: 'register', summaryKey: 'cli.cmd.register', load: async () => (await import('./register.js')).registerCommand },
  { name: 'server', summaryKey: 'cli.cmd.server', load: async () => (await import('./server.js')).serverCommand },
  { name: 'edxml', summaryKey: 'cli.cmd.edxml', load: async () => (await import('./edxml.js')).edxmlCommand },
  { name: 'service', summaryKey: 'cli.cmd.service', load: async () => (await import('./service.js')).serviceCommand },
];
