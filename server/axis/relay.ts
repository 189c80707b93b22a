/**
 * The seam between the inbox (server/inbox.ts) and the gateway: how the inbox learns that a
 * recipient is an outside body, and how it queues relays in its own transaction (so a
 * document or status accepted here is relayed exactly when it is committed, never lost to a
 * crash between the two).
 */
import type { Db } from '../db/sql.js';

/** What the inbox asks of the gateway. */
export interface OutsideRelay {
  /** The link reaching `organId` when it is an outside body (not hosted here), else undefined. */
  routeOf(organId: string): Promise<string | undefined>;
  /** Queues, in the caller's transaction, a package for outside recipients. */
  queueDocument(db: Db, m: { messageRef: number; messageId: string; packageSha256: string; from: string; to: string[] }): Promise<void>;
  /** Queues, in the caller's transaction, a status message for outside recipients. */
  queueStatus(db: Db, s: { messageRef: number; messageId: string; xmlSha256: string; from: string; to: string[] }): Promise<void>;
  /** Called after the commit: relays are waiting. */
  wake(): void;
}
