/**
 * What every protocol shares once a request is parsed: the site's permission (asked once per
 * origin), and a signing request end to end (the user's consent with the documents in view,
 * a fresh token login with the PIN just typed, the signatures through the one sign use case,
 * the logout, the audit log). VGCA and VNPT-CA differ only in how documents arrive and leave.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { hasMessage, t, type Lang } from '../../resources/locales/index.js';
import { appearanceSchema } from '../api/contract/sign.js';
import { errorCodeOf, KysoError, isKysoError } from '../api/errors.js';
import type { PadesLevel } from '../signing/types.js';
import type { AppearanceOptions, SignatureRole } from '../signing/types.js';
import { signItems, tsaConfig } from '../services/sign.js';
import { Admission, Mutex } from './admission.js';
import type { AuditLog } from './audit.js';
import { SERVICE_KEYS, type ServiceConfig } from './config.js';
import type { Consent, PlacedBox, SignAnswer, SignQuestion } from './consent/types.js';
import type { FetchedDoc, WorkDir } from './documents.js';
import type { OriginStore, SettingsAccess } from './origins.js';
import { anchorTexts, planPlacement, savedPlacements, type PlacementPlan } from './placement.js';
import type { CertChoice, ServiceSession, ServiceTokens } from './tokens.js';

/** Everything a request handler may use. */
export interface ServiceContext {
  config: ServiceConfig;
  tokens: ServiceTokens;
  consent: Consent;
  origins: OriginStore;
  admission: Admission;
  settings: SettingsAccess;
  audit: AuditLog;
  /** The language of replies and messages (the app's, or the CLI's). */
  lang: () => Lang;
  env: NodeJS.ProcessEnv;
  /** One question on screen at a time, in arrival order. */
  questions: Mutex;
}

/** A signal that aborts with the page or after `ms`, whichever comes first, telling which. */
function deadline(signal: AbortSignal, ms: number): { signal: AbortSignal; timedOut: () => boolean; clear: () => void } {
  const c = new AbortController();
  let timedOut = false;
  const onAbort = () => c.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    c.abort();
  }, ms);
  timer.unref();
  if (signal.aborted) c.abort();
  return { signal: c.signal, timedOut: () => timedOut, clear: () => (clearTimeout(timer), signal.removeEventListener('abort', onAbort)) };
}

/** Why a question ended without an answer: the time ran out, the page went away, or `e`. */
function whyClosed(ctx: ServiceContext, d: { timedOut(): boolean }, page: AbortSignal, e: unknown): unknown {
  if (d.timedOut()) return new KysoError('serviceConsentTimeout', { minutes: Math.max(1, Math.round(ctx.config.consentTimeoutMs / 60_000)) });
  if (page.aborted) return new KysoError('cancelled');
  return e ?? new KysoError('cancelled');
}

/**
 * Lets the request through when the site is allowed; asks the user the first time (the
 * answer is remembered either way). A remembered "no" is refused without any dialog.
 */
export async function authorize(ctx: ServiceContext, origin: string, operation: string, whatKey: string, signal: AbortSignal): Promise<void> {
  const policy = ctx.consent.originPolicy?.(origin);
  if (policy === true) return;
  if (policy === false) throw new KysoError('serviceOriginUnknown', { origin });
  const known = ctx.origins.get(origin);
  if (known === true) return;
  if (known === false) throw new KysoError('serviceOriginDenied', { origin });
  await ctx.questions.run(async () => {
    // The user may have answered this site while this request waited in line.
    const now = ctx.origins.get(origin);
    if (now === true) return;
    if (now === false) throw new KysoError('serviceOriginDenied', { origin });
    if (signal.aborted) throw new KysoError('cancelled');
    const d = deadline(signal, ctx.config.consentTimeoutMs);
    try {
      const allowed = await ctx.consent.askOrigin({ origin, operation, whatKey, signal: d.signal }).catch((e: unknown) => {
        throw whyClosed(ctx, d, signal, e);
      });
      if (d.timedOut() || signal.aborted) throw whyClosed(ctx, d, signal, undefined);
      ctx.origins.set(origin, allowed);
      if (!allowed) throw new KysoError('serviceCancelled');
    } finally {
      d.clear();
    }
  });
}

/** A signing request, documents already fetched. */
export interface SignJob {
  origin: string;
  operation: string;
  role: SignatureRole;
  docs: FetchedDoc[];
  work: WorkDir;
  /** Role-specific stamp content from the request (numbers, dates, copy form...). */
  appearance: Omit<AppearanceOptions, 'role'>;
  /** Shown in the dialog: label -> value. */
  details: Record<string, string>;
  /** A rectangle the request gives (VNPT-CA options). */
  requested?: PlacedBox;
  /** Certificate serial the page asked for (VNPT-CA CertificateSerial). */
  certSerial?: string;
  signal: AbortSignal;
}

/** The outcome for one document. */
export interface SignedDoc {
  doc: FetchedDoc;
  output?: string;
  level?: string;
  error?: KysoError;
}

const LEVELS: PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];
const normSerial = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+(?=.)/, '');

/** The image setting when it names a file that exists (a stale path must not fail a web request). */
function imageSetting(settings: SettingsAccess, key: string): string | undefined {
  const v = settings.get(key);
  return typeof v === 'string' && v.trim() && existsSync(v.trim()) ? v.trim() : undefined;
}

/** The appearance for the role: the request's fields, the user's images, the organization. */
export function appearanceFor(job: SignJob, cert: CertChoice, settings: SettingsAccess): AppearanceOptions {
  const a: AppearanceOptions = { role: job.role, ...job.appearance };
  const sig = imageSetting(settings, 'sign.signatureImage');
  const seal = imageSetting(settings, 'sign.sealImage');
  if ((job.role === 'approval' || job.role === 'initials') && sig && !a.image) a.image = sig;
  if (job.role === 'issuing' && seal) a.sealImage = seal;
  if ((job.role === 'issuing' || job.role === 'attachment' || job.role === 'copy') && !a.organization && cert.organization) a.organization = cert.organization;
  return a;
}

/**
 * The appearance a preview lays out for a certificate: the one signing uses, with the name the
 * engine would take from the certificate (the preview has no signer to read it from).
 */
export function previewAppearance(job: SignJob, cert: CertChoice, settings: SettingsAccess): AppearanceOptions {
  const a = appearanceFor(job, cert, settings);
  return a.signerName || !cert.commonName ? a : { ...a, signerName: cert.commonName };
}

/**
 * Refuses a stamp the contract cannot carry (the dialog's layout and the service:prompt event
 * check appearances against appearanceSchema): a number or date longer than a stamp shows.
 * Called before the user is asked, so nothing is shown or signed that the dialog cannot show.
 */
function checkAppearance(lang: Lang, a: AppearanceOptions): void {
  const parsed = appearanceSchema.safeParse(a);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const value = (a as unknown as Record<string, unknown>)[key];
  const label = hasMessage(lang, `ui.stamp.${key}`) ? t(lang, `ui.stamp.${key}`) : key || 'appearance';
  if (issue.code === 'too_big' && typeof value === 'string') throw new KysoError('serviceStampTooLong', { field: label, length: value.length, max: Number(issue.maximum) });
  throw new KysoError('serviceBadRequest', { detail: `${label}: ${issue.message}` });
}

/**
 * Runs a signing request: consent (one question for all documents), one login, the
 * signatures, the logout. Throws serviceCancelled when the user refuses; per-document
 * failures come back in the results.
 */
export async function runSignJob(ctx: ServiceContext, job: SignJob): Promise<{ cert: CertChoice; results: SignedDoc[] }> {
  checkAppearance(ctx.lang(), { role: job.role, ...job.appearance });
  const { list, preferred } = await ctx.tokens.candidates();
  const appearances = Object.fromEntries(list.map((c) => [c.fingerprint, previewAppearance(job, c, ctx.settings)]));
  for (const a of Object.values(appearances)) checkAppearance(ctx.lang(), a);
  const hinted = job.certSerial ? list.find((c) => normSerial(c.serial) === normSerial(job.certSerial!)) : undefined;
  const saved = savedPlacements(ctx.settings.get(SERVICE_KEYS.placements));
  const anchors = anchorTexts(ctx.settings.get(SERVICE_KEYS.anchors));
  const plans: PlacementPlan[] = [];
  for (const d of job.docs) plans.push(await planPlacement({ role: job.role, file: d.path, pages: d.pages, ...(job.requested ? { requested: job.requested } : {}), saved, anchors, canPlace: ctx.consent.canPlace }));
  let session: ServiceSession | undefined;
  let answer: SignAnswer | undefined;
  const approved = await ctx.questions.run(async () => {
    if (job.signal.aborted) throw new KysoError('cancelled');
    const d = deadline(job.signal, ctx.config.consentTimeoutMs);
    try {
      const q: SignQuestion = {
        id: randomUUID(), origin: job.origin, operation: job.operation, role: job.role,
        documents: job.docs.map(({ name, url, size, pages, sha256, path: p }) => ({ name, url, size, pages, sha256, path: p })),
        placements: plans, details: job.details, certificates: list, preferred: hinted?.fingerprint ?? preferred, signal: d.signal,
        appearances,
        approve: async (a) => {
          if (d.signal.aborted) throw new KysoError('cancelled');
          session = await ctx.tokens.open(a.cert, a.pin);
          answer = a;
        },
      };
      let ok: boolean;
      try {
        ok = await ctx.consent.askSign(q);
      } catch (e) {
        throw whyClosed(ctx, d, job.signal, e);
      }
      if (d.signal.aborted) throw whyClosed(ctx, d, job.signal, undefined);
      return ok && session !== undefined;
    } catch (e) {
      // Approved just as the page went away or the time ran out: the token is closed again.
      await session?.close();
      session = undefined;
      throw e;
    } finally {
      d.clear();
    }
  });
  if (!approved || !session || !answer) {
    for (const doc of job.docs) ctx.audit.write({ origin: job.origin, operation: job.operation, mode: ctx.consent.mode, outcome: 'refused', document: docEntry(doc) });
    throw new KysoError('serviceCancelled');
  }
  const s = session;
  try {
    if (answer.placement && answer.savePlacement) {
      const all = savedPlacements(ctx.settings.get(SERVICE_KEYS.placements));
      all[job.role] = answer.placement;
      ctx.settings.set(SERVICE_KEYS.placements, Object.fromEntries(Object.entries(all).map(([k, p]) => [k, { page: p.page, rect: [...p.rect] }])));
    }
    const levelSetting = ctx.settings.get('sign.defaultLevel');
    const tsa = tsaConfig(typeof ctx.settings.get('sign.tsaUrl') === 'string' ? (ctx.settings.get('sign.tsaUrl') as string) : undefined, ctx.env);
    const level = tsa && LEVELS.includes(levelSetting as PadesLevel) ? (levelSetting as PadesLevel) : 'B-B';
    const appearance = appearanceFor(job, s.cert, ctx.settings);
    // The user's placement (one for the whole request) wins; else each document's plan.
    const placements = job.docs.map((_, i) => (answer!.placement ? { page: answer!.placement.page, rect: answer!.placement.rect } : plans[i]!.placement));
    const groups = new Map<string, number[]>();
    placements.forEach((p, i) => {
      const k = JSON.stringify(p ?? null);
      groups.set(k, [...(groups.get(k) ?? []), i]);
    });
    const results: SignedDoc[] = job.docs.map((doc) => ({ doc }));
    for (const [key, idx] of groups) {
      const placement = JSON.parse(key) as PlacementPlan['placement'] | null;
      const items = idx.map((i) => ({ input: job.docs[i]!.path, output: path.join(job.work.dir, `signed-${i}.pdf`) }));
      const out = await signItems(items, {
        signer: s.signer, level, ...(tsa ? { tsa } : {}), allowFallback: true, appearance,
        ...(placement ? { placement } : {}), signal: job.signal,
      });
      out.forEach((r, j) => {
        const i = idx[j]!;
        if (r.status === 'signed') results[i] = { doc: job.docs[i]!, output: r.output, ...(r.level ? { level: r.level } : {}) };
        else results[i] = { doc: job.docs[i]!, error: signError(r.error?.code ?? 'internal', (r.error?.params ?? {}) as Record<string, string>) };
      });
    }
    for (const r of results) {
      ctx.audit.write({
        origin: job.origin, operation: job.operation, mode: ctx.consent.mode, outcome: r.output ? 'signed' : 'failed', document: docEntry(r.doc),
        certificate: { serial: s.cert.serial, subject: s.cert.subject }, ...(r.level ? { signed: { size: 0, level: r.level } } : {}),
        ...(r.error ? { error: r.error.code } : {}),
      });
    }
    return { cert: s.cert, results };
  } finally {
    await s.close();
  }
}

/** Codes that, after our own fresh login, mean the token (or its driver) went away mid-request. */
const TOKEN_LOST = ['tokenNotLoggedIn', 'tokenRemoved', 'tokenBridgeCrashed', 'tokenBridgeClosed', 'tokenNotFound', 'tokenTimeout'];

/** A document's signing failure as the page should read it. */
function signError(code: string, params: Record<string, string>): KysoError {
  return TOKEN_LOST.includes(code) ? new KysoError('serviceTokenLost', params) : new KysoError(errorCodeOf(code), params);
}

function docEntry(d: FetchedDoc): { name: string; url: string; size: number; sha256: string } {
  return { name: d.name, url: d.url, size: d.size, sha256: d.sha256 };
}

/** The KysoError of any failure (unknown ones become `internal` with their text). */
export function asKysoError(e: unknown): KysoError {
  if (isKysoError(e)) return e;
  return new KysoError('internal', { detail: e instanceof Error ? e.message : String(e) });
}
