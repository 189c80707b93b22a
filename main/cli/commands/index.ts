/** Registry of `kyso` subcommands; each issue adds its own command module here. */
import type { Command } from '../io.js';
import { signCommand } from './sign.js';
import { extendCommand } from './extend.js';
import { exchangeCommands } from './exchange.js';
import { appCommand } from './app.js';
import { tokenCommand } from './token.js';
import { serverCommand } from './server.js';
import { verifyCommands } from './verify.js';

/** Every subcommand, in the order `kyso --help` lists them. */
export const commands: Command[] = [appCommand, tokenCommand, ...exchangeCommands, signCommand, extendCommand, serverCommand, ...verifyCommands];
