/** Reading distinguished names as the core renders them (RFC 4514: `UID=..., CN=..., O=..., C=VN`). */

/** Splits a DN into [attribute, value] pairs, honouring `\,` escapes inside values. */
export function dnPairs(dn: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of dn.split(/(?<!\\),\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out.push([part.slice(0, eq).trim(), part.slice(eq + 1).replace(/\\(.)/g, '$1')]);
  }
  return out;
}

/** The name people know a certificate by: its CN, else its O, else the whole DN. */
export function displayName(dn: string): string {
  const pairs = dnPairs(dn);
  return pairs.find(([k]) => k === 'CN')?.[1] ?? pairs.find(([k]) => k === 'O')?.[1] ?? dn;
}
