/** Which vendor's driver a PKCS#11 module is, for the Tokens screen's headings. */
import { loadCatalog } from '../../native/catalog.js';

let catalog: ReturnType<typeof loadCatalog> | undefined;

/** The vendor of a module by the catalogue (path or file name), else what the library says. */
export function moduleVendor(modulePath: string, manufacturer?: string): string | undefined {
  // Windows paths too (a catalogue entry is a file name searched in System32).
  const name = (p: string) => (p.split(/[\\/]/).pop() ?? p).toLowerCase();
  const base = name(modulePath);
  catalog ??= loadCatalog();
  for (const e of catalog) {
    const all = [...e.win32, ...e.linux, ...e.darwin];
    if (all.some((p) => p === modulePath || name(p) === base)) return e.vendor;
  }
  return manufacturer?.trim() || undefined;
}
