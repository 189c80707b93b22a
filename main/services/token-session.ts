/**
 * Opening a token for signing outside the app's shared session (`kyso sign`, a headless
 * service): pick the module, token and certificate the caller named, log in once, and hand
 * out a signer with its chain. The PIN comes from the caller (a prompt, a variable, a file).
 */
import { KysoError, errorCodeOf } from '../api/errors.js';
import { TokenManager } from '../../native/token-manager.js';
import type { ModuleReport, TokenRef } from '../../native/types.js';
import { readCertFiles } from '../pki/cert-file.js';
import type { Signer } from '../pki/signer.js';
import { withChain } from './sign.js';

/** Which token and certificate to use. */
export interface TokenChoice {
  /** PKCS#11 module path; default: the catalogue and KYSO_PKCS11_MODULES. */
  module?: string;
  /** Token label. */
  token?: string;
  /** Certificate serial (hex) or a substring of its subject. */
  cert?: string;
  /** PEM/DER/PKCS#7 files with CA certificates to include as the chain. */
  chainFiles: string[];
}

const normSerial = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+(?=.)/, '');

/**
 * Throws the reason (module not found, not a PKCS#11 library...) when no module of the report
 * can be used at all: "no certificate" or "token not found" would hide it.
 */
export function requireUsableModule(report: ModuleReport[]): void {
  const failed = report.find((m) => !m.ok && m.error);
  if (failed?.error && report.every((m) => !m.ok)) throw new KysoError(errorCodeOf(failed.error.code), failed.error.params ?? { path: failed.path, module: failed.path });
}

/** Finds the token and certificate matching the choice in a list report. */
export function pickCertificate(report: ModuleReport[], choice: Pick<TokenChoice, 'token' | 'cert'>): { ref: TokenRef; fingerprint: string } {
  requireUsableModule(report);
  for (const m of report) {
    for (const t of m.tokens) {
      if (choice.token !== undefined && t.label !== choice.token) continue;
      const matching = t.certificates.filter((c) => {
        if (!c.hasPrivateKey) return false;
        if (choice.cert === undefined) return true;
        const serialMatch = /^[0-9a-fA-F:]+$/.test(choice.cert) && normSerial(c.serial) === normSerial(choice.cert);
        return serialMatch || c.subject.toLowerCase().includes(choice.cert.toLowerCase());
      });
      // Prefer a certificate valid now (tokens keep expired ones after renewal).
      const now = Date.now();
      const cert = matching.find((c) => Date.parse(c.notBefore) <= now && now <= Date.parse(c.notAfter)) ?? matching[0];
      if (cert) return { ref: { module: m.path, label: t.label }, fingerprint: cert.fingerprint };
    }
  }
  if (choice.token !== undefined && !report.some((m) => m.tokens.some((t) => t.label === choice.token))) throw new KysoError('tokenNotFound', { token: choice.token });
  throw new KysoError('tokenCertificateNotFound', { token: choice.token ?? '', keyId: choice.cert ?? '' });
}

/** An open token session: the signer, and close() to log out and stop the bridge. */
export interface TokenSession {
  signer: Signer;
  close(): Promise<void>;
}

/** Logs in once (one PIN for a whole batch) and returns a signer with its chain. */
export async function openTokenSession(choice: TokenChoice, env: NodeJS.ProcessEnv, pin: () => Promise<string | null>): Promise<TokenSession> {
  const tm = new TokenManager({ ...(choice.module ? { modules: [choice.module] } : {}), env });
  try {
    if (!tm.modulePaths.length) throw new KysoError('tokenNoModules');
    const report = await tm.list();
    const { ref, fingerprint } = pickCertificate(report, choice);
    // Before the PIN: a wrong chain file is reported without using the token.
    const extraChain = readCertFiles(choice.chainFiles);
    await tm.login(ref, await pin());
    const signer = withChain(await tm.getSigner(ref, { fingerprint }), extraChain);
    return {
      signer,
      close: async () => {
        await tm.logout(ref).catch(() => undefined);
        await tm.close();
      },
    };
  } catch (e) {
    await tm.close();
    throw e;
  }
}
