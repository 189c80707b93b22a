/**
 * Default output names: the role's suffix on the document's own name, never piled up
 * ("cong-van.signed.signed.pdf"): a suffix Kyso added before is replaced, and a name equal to
 * the input gets a number.
 */

/** Suffix per role: issuing makes the issued letter; every other role signs it. */
export function roleSuffix(role: string): string {
  return role === 'issuing' ? '.issued' : '.signed';
}

/** `name.pdf` -> `name.signed.pdf` (approval) or `name.issued.pdf` (issuing), without stacking. */
export function defaultOutput(input: string, role = 'approval'): string {
  const m = /^(.*?)((?:\.(?:signed|issued)(?:-\d+)?)*)(\.pdf)?$/i.exec(input)!;
  const base = m[1]!;
  const ext = m[3] ?? '.pdf';
  let out = `${base}${roleSuffix(role)}${ext}`;
  for (let n = 2; out === input; n++) out = `${base}${roleSuffix(role)}-${n}${ext}`;
  return out;
}
