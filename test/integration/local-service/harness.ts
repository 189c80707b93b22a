/**
 * A local signing service for integration tests, built from the real parts: the SoftHSM2
 * test bed's tokens, the app's consent broker (AppConsent) answered by the test the way the
 * dialog would, the real listeners with the service's own local CA, and a WebSocket client
 * that trusts only that CA (real TLS, no verification switched off).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { TokenManager } from '../../../native/token-manager.js';
import { AppConsent, type PromptAnswer, type ServicePrompt } from '../../../main/local-service/consent/app.js';
import { defaultConfig, type ServiceConfig } from '../../../main/local-service/config.js';
import { startLocalService, type LocalService } from '../../../main/local-service/service.js';
import { ServiceTokens } from '../../../main/local-service/tokens.js';
import { openStore, type Store } from '../../../main/store/index.js';
import type { Consent } from '../../../main/local-service/consent/types.js';
import type { TestBed } from '../../bed/index.js';

/** Decides a question the way a user in the dialog would (return undefined to leave it open). */
export type Answerer = (p: ServicePrompt) => PromptAnswer | undefined | Promise<PromptAnswer | undefined>;

/** A running service with its test controls. */
export interface Harness {
  home: string;
  store: Store;
  service: LocalService;
  consent: AppConsent;
  manager: TokenManager;
  config: ServiceConfig;
  /** Every question shown, in order, with its outcome once closed. */
  prompts: Array<{ prompt: ServicePrompt; outcome?: string; answerError?: string }>;
  /** Most questions open at the same time (a dialog storm shows here). */
  maxOpen: number;
  /** Sets how questions are answered from now on. */
  answer(fn: Answerer): void;
  /** Called when a question closes (synchronously, before the service goes on). */
  onClosed?: (id: string, outcome: string) => void;
  close(): Promise<void>;
}

/** Starts a service for the bed's official token; `tune` adjusts the configuration. */
export async function startHarness(bed: TestBed, tune: (c: ServiceConfig) => void = () => undefined, consentOverride?: (c: AppConsent) => Consent): Promise<Harness> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-svc-home-'));
  const store = openStore(home);
  const config = defaultConfig(home);
  config.vgcaPort = 0;
  config.vnptPorts = [0];
  config.token = { token: bed.tokens.official.label, cert: bed.certs.official.serial };
  tune(config);
  const prompts: Harness['prompts'] = [];
  let open = 0;
  let answerer: Answerer = () => undefined;
  const h = { prompts, maxOpen: 0 } as Harness;
  const consent: AppConsent = new AppConsent({
    prompt: (p) => {
      open++;
      h.maxOpen = Math.max(h.maxOpen, open);
      const entry: Harness['prompts'][number] = { prompt: p };
      prompts.push(entry);
      // Answered after the event, as a user clicking would be.
      setImmediate(() => {
        void (async () => {
          const a = await answerer(p);
          if (!a) return;
          await consent.answer(p.id, a).catch((e: unknown) => {
            entry.answerError = (e as { code?: string }).code ?? String(e);
          });
        })();
      });
    },
    closed: (id, outcome) => {
      h.onClosed?.(id, outcome);
      open--;
      const e = prompts.find((x) => x.prompt.id === id);
      if (e) e.outcome = outcome;
    },
  });
  const manager = new TokenManager({ modules: [bed.module], env: bed.env });
  const chain = [bed.certs.issuing.der, bed.certs.root.der];
  const tokens = new ServiceTokens(manager, config.token, () => chain);
  const service = await startLocalService({ config, settings: store.settings, consent: consentOverride ? consentOverride(consent) : consent, tokens, lang: () => 'vi', env: { ...process.env, ...bed.env } });
  Object.assign(h, {
    home, store, service, consent, manager, config,
    answer: (fn: Answerer) => void (answerer = fn),
    close: async () => {
      await service.close();
      await tokens.close();
      store.close();
      rmSync(home, { recursive: true, force: true });
    },
  });
  return h;
}

/** A connection's outcome: the first message, or how it closed. */
export interface WsResult {
  text?: string;
  closeCode?: number;
  error?: string;
}

/** Opens a WebSocket trusting only the service's CA, sends one message, waits for one reply. */
export function wsCall(url: string, message: string, opts: { origin?: string; caFile: string; timeoutMs?: number; onOpen?: (ws: WebSocket) => void }): Promise<WsResult> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { ca: readFileSync(opts.caFile), ...(opts.origin ? { origin: opts.origin } : {}), maxPayload: 512 << 20 });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ error: 'timeout' });
    }, opts.timeoutMs ?? 60_000);
    ws.on('open', () => {
      ws.send(message);
      opts.onOpen?.(ws);
    });
    ws.on('message', (d) => {
      clearTimeout(timer);
      resolve({ text: d.toString() });
      ws.close();
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ closeCode: code });
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: e.message });
    });
  });
}

/** A VGCA call: `wss://127.0.0.1:<port>/<endpoint>` with one JSON (or literal) message. */
export async function vgca(h: Harness, endpoint: string, body: unknown, origin: string | undefined, timeoutMs?: number): Promise<Record<string, unknown>> {
  const r = await wsCall(`wss://127.0.0.1:${h.service.vgca.port}/${endpoint}`, typeof body === 'string' ? body : JSON.stringify(body), { ...(origin ? { origin } : {}), caFile: h.service.tls.caFile, ...(timeoutMs ? { timeoutMs } : {}) });
  if (r.text === undefined) throw new Error(`no reply: ${JSON.stringify(r)}`);
  return JSON.parse(r.text) as Record<string, unknown>;
}

/** Approves a signing question with the PIN, placing the stamp when it must be placed. */
export function approveWith(pin: string, extra: Partial<PromptAnswer> = {}): Answerer {
  return (p) => {
    if (p.kind === 'origin') return { approve: true };
    const needsPlace = p.placements.some((x) => x.source === 'ask');
    return { approve: true, pin, ...(needsPlace ? { placement: { page: 1, rect: [300, 120, 170, 70] as [number, number, number, number] } } : {}), ...extra };
  };
}
