/** The error a bridge operation throws to send a Kyso error code (never a PIN) to the parent. */

/** Plain params that survive the process boundary. */
export type BridgeErrorParams = Record<string, string | number | boolean | null>;

/** An error that crosses the process boundary as a Kyso error code. */
export class BridgeError extends Error {
  constructor(readonly code: string, readonly params: BridgeErrorParams = {}) {
    super(code);
  }
}
