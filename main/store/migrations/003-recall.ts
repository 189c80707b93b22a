/** Migration 003: recalls (status 13) of incoming documents and the clerk's answer (15 agree / 16 refuse). */
import type { Migration } from '../migrate.js';

/** Adds the recall columns to the incoming register. */
export const m003: Migration = {
  id: 3,
  name: 'recall',
  up: `
ALTER TABLE incoming ADD COLUMN recall_reason TEXT;
ALTER TABLE incoming ADD COLUMN recall_at TEXT;
ALTER TABLE incoming ADD COLUMN recall_answer TEXT CHECK (recall_answer IN ('15', '16'));
`,
};
