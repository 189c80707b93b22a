/**
 * The local signing service, assembled: TLS files (made on first start, renewed before they
 * expire), the origins store, limits, the token access and the consent the caller brings
 * (the app's dialog, the terminal, or unattended mode), the audit log, and the listeners for
 * the VGCA- and VNPT-CA-compatible protocols. The app (main/local-service/app-service.ts)
 * and `kyso service` both start it through `startLocalService`.
 */
import path from 'node:path';
import type { Lang } from '../../resources/locales/index.js';
import { Admission, Mutex } from './admission.js';
import { AuditLog } from './audit.js';
import { serviceDir, type ServiceConfig } from './config.js';
import type { Consent } from './consent/types.js';
import type { ServiceContext } from './jobs.js';
import { startListeners, type PortState } from './listeners.js';
import { OriginStore, type SettingsAccess } from './origins.js';
import { ensureLocalTls, tlsFiles, type LocalTls } from './tls/local-ca.js';
import type { ServiceTokens } from './tokens.js';
import { handleVgca } from './vgca/handler.js';
import { handleVnpt } from './vnpt/handler.js';

/** What the service is built from. */
export interface LocalServiceOptions {
  config: ServiceConfig;
  settings: SettingsAccess;
  consent: Consent;
  tokens: ServiceTokens;
  lang: () => Lang;
  env: NodeJS.ProcessEnv;
  /** The audit log file (default KYSO_HOME/local-service/audit.jsonl). */
  auditFile?: string;
}

/** A running service. */
export interface LocalService {
  readonly vgca: PortState;
  readonly vnpt: PortState;
  /** The TLS files in use; `renewed` when this start made a new CA (it must be trusted again). */
  readonly tls: LocalTls & { renewed: boolean; caFile: string };
  readonly auditFile: string;
  /** Closes the sockets (requests in flight see their pages go away) and the token bridges. */
  close(): Promise<void>;
}

/** Starts the service; throws servicePortInUse when the VGCA port is taken. */
export async function startLocalService(o: LocalServiceOptions): Promise<LocalService> {
  const dir = serviceDir(o.config.home);
  const tls = ensureLocalTls(dir);
  const auditFile = o.auditFile ?? path.join(dir, 'audit.jsonl');
  const ctx: ServiceContext = {
    config: o.config,
    tokens: o.tokens,
    consent: o.consent,
    origins: new OriginStore(o.settings),
    admission: new Admission({ queue: o.config.perOriginQueue, perMinute: o.config.perOriginPerMinute }),
    settings: o.settings,
    audit: new AuditLog(auditFile),
    lang: o.lang,
    env: o.env,
    questions: new Mutex(),
  };
  const listeners = await startListeners({
    tls,
    vgcaPort: o.config.vgcaPort,
    vnptPorts: o.config.vnptPorts,
    vgca: async (req) => JSON.stringify(await handleVgca(ctx, req)),
    vnpt: (req) => handleVnpt(ctx, req),
    // base64 is 4/3 of the document, plus the JSON around it.
    vnptMaxPayload: Math.ceil((o.config.maxFileBytes * 4) / 3) + (1 << 20),
  });
  return {
    vgca: listeners.vgca,
    vnpt: listeners.vnpt,
    tls: { ...tls, caFile: tlsFiles(dir).ca },
    auditFile,
    close: async () => {
      await listeners.close();
    },
  };
}
