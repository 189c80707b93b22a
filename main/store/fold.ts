/** Text folding for search: Vietnamese without diacritics, lower case (đ is a letter, not a mark). */

/** Folds `text` to lower-case ASCII-ish words: `Quyết định` -> `quyet dinh`. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/**
 * Turns what a clerk types into an FTS5 query: every word must match, as a prefix, so
 * `quyet dinh 15/QĐ` finds `Quyết định số 15/QĐ-UBND`. Quotes keep FTS5 syntax out of user text.
 */
export function ftsQuery(input: string): string | null {
  const words = foldText(input).match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words.length) return null;
  return words.map((w) => `"${w}"*`).join(' ');
}
