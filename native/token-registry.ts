/**
 * Remembers every token seen (by module + serial + label) with its certificates, so the
 * inventory covers tokens that are not plugged in right now. A small JSON file in KYSO_HOME,
 * written atomically; it holds no PIN and no key material, only public certificate details.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { InventoryRow } from './provisioning.js';

const seenSchema = z.object({
  tokens: z.array(
    z.object({
      module: z.string(),
      label: z.string(),
      serial: z.string(),
      firstSeen: z.string(),
      lastSeen: z.string(),
      certificates: z.array(
        z.object({ keyId: z.string(), subject: z.string(), issuer: z.string(), certSerial: z.string(), notAfter: z.string(), hasPrivateKey: z.boolean() }),
      ),
    }),
  ),
});

type Seen = z.output<typeof seenSchema>;

/** An inventory row with whether its token is plugged in now and when it was last seen. */
export type RegistryRow = InventoryRow & { present: boolean; lastSeen: string };

/** The seen-tokens file of one Kyso home. */
export class TokenRegistry {
  readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'tokens-seen.json');
  }

  private read(): Seen {
    try {
      return seenSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch {
      return { tokens: [] };
    }
  }

  /** Records the current inventory and returns it merged with absent tokens seen before. */
  update(current: InventoryRow[], now = new Date()): RegistryRow[] {
    const seen = this.read();
    const stamp = now.toISOString();
    const key = (m: string, s: string, l: string) => `${m}\u0000${s}\u0000${l}`;
    const byKey = new Map(seen.tokens.map((t) => [key(t.module, t.serial, t.label), t]));
    const presentKeys = new Set<string>();
    for (const r of current) presentKeys.add(key(r.module, r.serial, r.token));
    for (const k of presentKeys) {
      const rows = current.filter((r) => key(r.module, r.serial, r.token) === k);
      const first = rows[0]!;
      const prev = byKey.get(k);
      byKey.set(k, {
        module: first.module,
        label: first.token,
        serial: first.serial,
        firstSeen: prev?.firstSeen ?? stamp,
        lastSeen: stamp,
        certificates: rows.map((r) => ({ keyId: r.keyId, subject: r.subject, issuer: r.issuer, certSerial: r.certSerial, notAfter: r.notAfter, hasPrivateKey: r.hasPrivateKey })),
      });
    }
    const next: Seen = { tokens: [...byKey.values()] };
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2));
    renameSync(tmp, this.file);
    const out: RegistryRow[] = current.map((r) => ({ ...r, present: true, lastSeen: stamp }));
    for (const t of next.tokens) {
      if (presentKeys.has(key(t.module, t.serial, t.label))) continue;
      for (const c of t.certificates) {
        const daysLeft = Math.floor((new Date(c.notAfter).getTime() - now.getTime()) / 86_400_000);
        out.push({ module: t.module, token: t.label, serial: t.serial, ...c, daysLeft, expiresSoon: daysLeft < 30, present: false, lastSeen: t.lastSeen });
      }
    }
    return out;
  }
}
