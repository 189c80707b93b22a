/** The exchange client's commands, registered together: send, inbox, outbox, register. */
import type { Command } from '../io.js';
import { inboxCommand } from './inbox.js';
import { outboxCommand } from './outbox.js';
import { registerCommand } from './register.js';
import { sendCommand } from './send.js';

/** `kyso send`, `kyso inbox`, `kyso outbox`, `kyso register`. */
export const exchangeCommands: Command[] = [sendCommand, inboxCommand, outboxCommand, registerCommand];
