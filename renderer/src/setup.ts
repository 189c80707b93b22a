/** Whether the first-run setup is done (Home points to Settings until it is). */

/** True when the setup a first run needs is missing: the exchange server or the connecting certificate. */
export function setupMissing(values: Record<string, unknown> | undefined): boolean {
  return !values?.['exchange.server'] || !values?.['exchange.signer'];
}
