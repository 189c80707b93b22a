/**
 * Migration 006: what the edXML reader learns about an arrival besides its metadata: the
 * package signature (valid, valid with a weak legacy algorithm, unsigned; an invalid one is
 * refused before it is stored), its algorithm and signer, the reader's notes (bytes before
 * the declaration, an out-of-scope prefix...), the promulgation date (a DocumentId may be an
 * opaque UUID that does not carry it), the business block and the trace headers; per file,
 * the type its bytes really are.
 *
 * Rows written before this version came through the former reader, which refused every
 * package without a valid signature (Kyso's, RSA/ECDSA with SHA-256): 'valid' is what they had.
 */
import type { Migration } from '../migrate.js';

/** Adds the signature, notes, business and trace columns. */
export const m006: Migration = {
  id: 6,
  name: 'edxml-signature',
  up: `ALTER TABLE incoming ADD COLUMN signature_state TEXT NOT NULL DEFAULT 'valid'
      CHECK (signature_state IN ('valid', 'valid-weak-algorithm', 'unsigned', 'invalid'));
    ALTER TABLE incoming ADD COLUMN signature_algorithm TEXT;
    ALTER TABLE incoming ADD COLUMN signer TEXT;
    ALTER TABLE incoming ADD COLUMN package_notes TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE incoming ADD COLUMN promulgation_date TEXT;
    ALTER TABLE incoming ADD COLUMN bussiness_doc_type INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incoming ADD COLUMN bussiness_reason TEXT;
    ALTER TABLE incoming ADD COLUMN traces TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE incoming_file ADD COLUMN detected_type TEXT;`,
};
