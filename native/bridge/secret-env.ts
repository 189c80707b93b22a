/**
 * Environment variables that must never reach a token-bridge process: the PIN travels over
 * the bridge's message channel once, for the login, and a variable holding it would sit in
 * the worker's /proc/<pid>/environ (readable by the same account, kept for the worker's whole
 * life) and in Node's `NODE_DEBUG=child_process` trace. Stripped by workerEnv (launcher.ts).
 */

/** Kyso's own secret variables (TSA credentials, read by main/services/sign-plan.ts). */
const KYSO_SECRETS = ['KYSO_TSA_USER', 'KYSO_TSA_PASSWORD'];

/** Names that say "secret" whoever set them (KYSO_PIN, TOKEN_PASSWORD, SO_PIN...). */
const SECRET_NAME = /(?:^|_)(?:PIN|PINS|PASSWORD|PASSWD|PASSPHRASE|SECRET)(?:_|$)/i;

const named = new Set<string>();

/** Marks a variable as secret for this process (`--pin-env VAR` names one: the CLI calls this when it parses the option). */
export function hideFromWorkers(name: string): void {
  named.add(name);
}

/** True when the variable must not reach a bridge process. */
export function isSecretEnv(name: string): boolean {
  return named.has(name) || KYSO_SECRETS.includes(name) || SECRET_NAME.test(name);
}
