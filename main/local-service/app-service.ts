/**
 * The signing service inside the app (Electron or the browser host): started by the core
 * when the user has switched it on (setting service.enabled), with the app's consent dialog,
 * its own token bridge, and the `service:*` operations the screens use (state and switch,
 * remembered sites, pending questions, answers).
 */
import { t, type Lang } from '../../resources/locales/index.js';
import { isKysoError } from '../api/errors.js';
import type { serviceOperations } from '../api/contract/service.js';
import type { EmitFn, HandlersFor } from '../services/types.js';
import type { SettingsRepo } from '../store/settings-repo.js';
import { loadAnchors } from '../pki/trust-store.js';
import { TokenManager } from '../../native/token-manager.js';
import type { ProcessLauncher } from '../../native/bridge/launcher.js';
import { configFromSettings, SERVICE_KEYS, serviceDir } from './config.js';
import { ensureLocalTls, tlsFiles } from './tls/local-ca.js';
import { installCa, trustFailure } from './tls/trust.js';
import { AppConsent } from './consent/app.js';
import { OriginStore, parseOrigin } from './origins.js';
import { startLocalService, type LocalService } from './service.js';
import { ServiceTokens } from './tokens.js';

/** What the app's service needs from the core. */
export interface AppServiceOptions {
  home: string;
  settings: SettingsRepo;
  lang: () => Lang;
  emit: EmitFn;
  launcher?: ProcessLauncher;
  env?: NodeJS.ProcessEnv;
  /** Module paths the user added in Settings. */
  userModules: () => string[];
}

/** The app's service controller. */
export interface AppService {
  handlers: HandlersFor<keyof typeof serviceOperations>;
  /** Starts the service when it is switched on (errors go to its status). */
  startIfEnabled(): Promise<void>;
  close(): Promise<void>;
}

type Status = Awaited<ReturnType<AppService['handlers']['service:status']>>;

/** Creates the controller; nothing listens until the service is enabled. */
export function createAppService(o: AppServiceOptions): AppService {
  const consent = new AppConsent({
    prompt: (p) => o.emit('service:prompt', p),
    closed: (id, outcome) => o.emit('service:promptClosed', { id, outcome }),
  });
  const origins = new OriginStore(o.settings);
  let running: { service: LocalService; tokens: ServiceTokens } | undefined;
  let lastError: { code: string; params: Record<string, unknown> } | undefined;
  // Starts and stops one after the other (a double click must not open two listeners).
  let op: Promise<void> = Promise.resolve();
  const serial = (fn: () => Promise<void>) => (op = op.then(fn, fn));

  const enabled = () => o.settings.get(SERVICE_KEYS.enabled) === true;
  const msg = (code: string, params: Record<string, unknown>) => t(o.lang(), `error.${code}`, params);
  const status = (): Status => {
    const s = running?.service;
    const port = (p: LocalService['vgca'] | undefined) => ({ port: p?.port ?? null, ...(p?.error ? { error: { code: p.error.code, message: msg(p.error.code, p.error.params) } } : {}) });
    return {
      enabled: enabled(),
      running: !!s,
      vgca: port(s?.vgca),
      vnpt: port(s?.vnpt),
      ...(lastError ? { error: { code: lastError.code, message: msg(lastError.code, lastError.params) } } : {}),
      ...(s ? { ca: { file: s.tls.caFile, fingerprint: s.tls.caFingerprint, name: s.tls.caName, notAfter: s.tls.notAfter.toISOString() } } : {}),
    };
  };

  const start = () => serial(async () => {
    if (running) return;
    lastError = undefined;
    const config = configFromSettings(o.home, (k) => o.settings.get(k));
    const manager = new TokenManager({ ...(o.launcher ? { launcher: o.launcher } : {}), ...(o.env ? { env: o.env } : {}) });
    await manager.setUserModules(o.userModules());
    const tokens = new ServiceTokens(manager, config.token, () => loadAnchors(o.home));
    try {
      const service = await startLocalService({ config, settings: o.settings, consent, tokens, lang: o.lang, env: o.env ?? process.env });
      running = { service, tokens };
    } catch (e) {
      await tokens.close();
      lastError = isKysoError(e) ? { code: e.code, params: e.params } : { code: 'internal', params: { detail: e instanceof Error ? e.message : String(e) } };
    }
    o.emit('service:status', status());
  });
  const stop = () => serial(async () => {
    const r = running;
    running = undefined;
    lastError = undefined;
    if (r) {
      await r.service.close();
      await r.tokens.close();
    }
    o.emit('service:status', status());
  });

  return {
    handlers: {
      'service:status': async () => status(),
      'service:setEnabled': async ({ enabled: on }) => {
        o.settings.set(SERVICE_KEYS.enabled, on);
        await (on ? start() : stop());
        return status();
      },
      'service:trustCa': async () => {
        const dir = serviceDir(o.home);
        ensureLocalTls(dir);
        const results = await installCa(tlsFiles(dir).ca, dir);
        // Without the NSS tools, or with a password on a database, the reason is said in the user's language.
        return {
          results: results.map((r) => {
            const reason = trustFailure(r);
            return reason ? { ...r, detail: msg(reason, { file: tlsFiles(dir).ca }) } : r;
          }),
        };
      },
      'service:origins': async () => ({ origins: origins.list() }),
      'service:setOrigin': async ({ origin, allowed }) => {
        origins.set(parseOrigin(origin), allowed);
        return { origins: origins.list() };
      },
      'service:pending': async () => ({ prompts: consent.pending() }),
      'service:answer': async ({ id, ...a }) => {
        await consent.answer(id, a);
        return { done: true };
      },
    },
    startIfEnabled: () => (enabled() ? start() : Promise.resolve()),
    close: () => stop(),
  };
}
