/** Subject text for provision:csr built from the CSR form's fields. */

/** Subject attributes in the order they go into the CSR (Vietnamese practice: C=VN). */
export const SUBJECT_FIELDS = ['CN', 'O', 'OU', 'L', 'ST', 'C', 'E', 'UID'] as const;
/** One subject attribute of the form. */
export type SubjectField = (typeof SUBJECT_FIELDS)[number];

/** Builds the `CN=...,O=...` text the core parses, escaping commas and backslashes in values. */
export function subjectText(values: Partial<Record<SubjectField, string>>): string {
  return SUBJECT_FIELDS.flatMap((f) => {
    const v = values[f]?.trim();
    return v ? [`${f}=${v.replace(/[\\,]/g, (c) => `\\${c}`)}`] : [];
  }).join(',');
}
