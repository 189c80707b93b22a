/**
 * Migration 007: a directory entry may be an outside body, reached through the national axis
 * by the server's gateway (shown with a badge in the recipient picker).
 */
import type { Migration } from '../migrate.js';

/** Adds directory.outside (0 for every entry cached before). */
export const m007: Migration = {
  id: 7,
  name: 'directory-outside',
  up: 'ALTER TABLE directory ADD COLUMN outside INTEGER NOT NULL DEFAULT 0;',
};
