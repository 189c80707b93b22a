/** Every schema step of the inbox server, in order. Add new steps at the end; never edit a shipped one. */
import type { ServerMigration } from '../migrate.js';
import { m001 } from './001-baseline.js';
import { m002 } from './002-session-chain.js';
import { m003 } from './003-blob-refs.js';
import { m004 } from './004-shared-auth-state.js';
import { m005 } from './005-axis-gateway.js';

/** The ordered list the runner applies. */
export const serverMigrations: readonly ServerMigration[] = [m001, m002, m003, m004, m005];
