/**
 * `settings:check`: the first-run setup checked as a whole, each part with a clear result in
 * the user's words: the inbox server answers Kyso's protocol, the connecting certificate is on
 * a plugged-in token with its private key and is within its validity, the TSA gives a
 * timestamp, the signature and seal images are PNG files. Nothing asks for the PIN.
 */
import { randomBytes } from 'node:crypto';
import { t, type Lang } from '../../resources/locales/index.js';
import { isKysoError, KysoError } from '../api/errors.js';
import { challengeResponseSchema, endpoints } from '../exchange/protocol.js';
import { requestJson, toKysoError } from '../exchange/client/http.js';
import { imageInfo } from '../signing/appearance-layout.js';
import type { TokenManager } from '../../native/token-manager.js';

/** What is checked. */
export type SetupPart = 'server' | 'certificate' | 'tsa' | 'signatureImage' | 'sealImage';

/** The values to check (the saved settings unless given). */
export interface SetupValues {
  server?: string;
  signer?: { module?: string; label?: string; serial?: string; cert?: string };
  tsaUrl?: string;
  signatureImage?: string;
  sealImage?: string;
}

/** One result: ok, failed with the reason in words (code kept for a detail line), or not set. */
export interface SetupResult {
  part: SetupPart;
  state: 'ok' | 'failed' | 'notSet';
  message: string;
  code?: string;
}

const words = (lang: Lang, e: unknown): { code: string; message: string } => {
  const k = toKysoError(e);
  if (isKysoError(k)) return { code: k.code, message: t(lang, `error.${k.code}`, k.params) };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
};

async function checkServer(url: string): Promise<void> {
  const base = url.endsWith('/') ? url : `${url}/`;
  await requestJson({ method: 'POST', url: new URL(endpoints.challenge, base).toString(), body: { json: {} }, idleTimeoutMs: 10_000, signal: AbortSignal.timeout(15_000) }, challengeResponseSchema);
}

async function checkCertificate(tokens: Pick<TokenManager, 'list'>, s: NonNullable<SetupValues['signer']>): Promise<string> {
  const modules = await tokens.list();
  const m = modules.find((x) => x.path === s.module);
  const tk = m?.tokens.find((x) => (s.serial ? x.serial === s.serial : x.label === s.label));
  if (!tk) throw new KysoError('tokenNotFound', { token: s.label ?? s.serial ?? '' });
  const c = tk.certificates.find((x) => !s.cert || x.fingerprint === s.cert || x.keyId === s.cert);
  if (!c) throw new KysoError('tokenCertificateNotFound', { token: tk.label });
  if (!c.hasPrivateKey) throw new KysoError('tokenNoPrivateKey', { keyId: c.keyId });
  const now = Date.now();
  if (Date.parse(c.notBefore) > now || Date.parse(c.notAfter) < now) throw new KysoError('setupCertOutOfValidity', { subject: c.subject, notAfter: c.notAfter.slice(0, 10) });
  if (!c.keyUsage.includes('digitalSignature')) throw new KysoError('setupCertNoSignature', { subject: c.subject });
  return c.subject;
}

async function checkImage(file: string): Promise<string> {
  const i = await imageInfo(file);
  return `${i.width}×${i.height}`;
}

/** Checks every part that is set; parts run in parallel, each bounded in time. */
export async function checkSetup(v: SetupValues, tokens: Pick<TokenManager, 'list'> | undefined, lang: Lang, only?: SetupPart[]): Promise<SetupResult[]> {
  const run = async (part: SetupPart, value: unknown, f: () => Promise<string | void>): Promise<SetupResult> => {
    if (only && !only.includes(part)) return { part, state: 'notSet', message: '' };
    if (value === undefined || value === null || value === '') return { part, state: 'notSet', message: t(lang, 'ui.setup.notSet') };
    try {
      const detail = await f();
      return { part, state: 'ok', message: t(lang, `ui.setup.ok.${part}`, { detail: detail ?? '' }) };
    } catch (e) {
      return { part, state: 'failed', ...words(lang, e) };
    }
  };
  const { timestampDigest } = await import('../pki/tsa-client.js');
  const all = await Promise.all([
    run('server', v.server, () => checkServer(v.server!)),
    run('certificate', v.signer?.module, async () => {
      if (!tokens) throw new KysoError('tokenNoModules');
      return checkCertificate(tokens, v.signer!);
    }),
    run('tsa', v.tsaUrl, async () => {
      await timestampDigest(randomBytes(32), { url: v.tsaUrl!, timeoutMs: 10_000 });
    }),
    run('signatureImage', v.signatureImage, () => checkImage(v.signatureImage!)),
    run('sealImage', v.sealImage, () => checkImage(v.sealImage!)),
  ]);
  return only ? all.filter((r) => only.includes(r.part)) : all;
}
