/** Every schema migration, in order. Add new steps at the end with the next number. */
import type { Migration } from '../migrate.js';
import { m001 } from './001-settings.js';
import { m002 } from './002-exchange.js';
import { m003 } from './003-recall.js';
import { m004 } from './004-arrival-failures.js';
import { m005 } from './005-fts-key.js';
import { m006 } from './006-edxml-signature.js';
import { m007 } from './007-directory-outside.js';
import { m008 } from './008-document-meta.js';

/** The ordered list the runner applies. */
export const migrations: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008];
