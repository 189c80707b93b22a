/**
 * Provisioning use cases shared by `provision:*` and `kyso token ...`: the certificate
 * inventory (present tokens recorded in KYSO_HOME/tokens-seen.json, absent ones seen before
 * listed too) and its CSV/JSON export.
 */
import { inventoryCsv, type Provisioner } from '../../native/provisioning.js';
import { TokenRegistry, type RegistryRow } from '../../native/token-registry.js';

/** Every certificate on the present tokens, plus those seen before when `home` is given. */
export async function tokenInventory(prov: Provisioner, home?: string): Promise<RegistryRow[]> {
  const rows = await prov.inventory();
  if (home) return new TokenRegistry(home).update(rows);
  const now = new Date().toISOString();
  return rows.map((r) => ({ ...r, present: true, lastSeen: now }));
}

/** The inventory as a file body: CSV (BOM, defused cells) or JSON. */
export function inventoryText(rows: RegistryRow[], format: 'csv' | 'json'): string {
  return format === 'csv' ? inventoryCsv(rows) : JSON.stringify({ certificates: rows }, null, 2) + '\n';
}
