/** Chooses a token and one of its signing certificates (with expiry warnings). */
import { listTokens } from '../api/token-list.js';
import { useEffect, useId, useRef } from 'react';
import { bestForRole } from '../certChoice.js';
import type { OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useLoad, useEvent } from '../hooks.js';
import { displayName } from '../dn.js';
import { formatDate, useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { errorText } from '../../../resources/locales/index.js';

type ModuleReport = OutputOf<'token:list'>['modules'][number];
/** A token with the module that drives it. */
export type TokenChoice = { module: string; token: ModuleReport['tokens'][number] };
/** The selection: token key (module + label) and certificate fingerprint. */
export interface TokenSelection {
  key: string;
  fingerprint: string;
}

/** Flattens the module reports into tokens that have a certificate with a private key. */
export function signingTokens(modules: ModuleReport[]): TokenChoice[] {
  return modules.flatMap((m) => m.tokens.filter((tk) => tk.certificates.some((c) => c.hasPrivateKey)).map((token) => ({ module: m.path, token })));
}

/** Stable key of a token. */
export const tokenKey = (c: TokenChoice) => `${c.module}|${c.token.label}`;

/** Props of TokenPicker. */
export interface TokenPickerProps {
  value: TokenSelection | null;
  onChange(sel: TokenSelection | null, choice: TokenChoice | null): void;
  /**
   * The signature role: picks the certificate that fits it (a person's for approval, the
   * organization's for issuing) whenever the role changes; the user can still choose another.
   */
  role?: string;
}

/**
 * The token and certificate for `role`: the one the user chose last time for it (setting
 * `sign.cert.<role>`) when it is plugged in, else the one that fits the role best.
 */
export function pickForRole(choices: TokenChoice[], role: string | undefined, remembered?: string): { choice: TokenChoice; fingerprint: string } | null {
  const all = choices.flatMap((c) => c.token.certificates.filter((x) => x.hasPrivateKey).map((cert) => ({ choice: c, cert })));
  const known = remembered ? all.find((a) => a.cert.fingerprint === remembered) : undefined;
  if (known) return { choice: known.choice, fingerprint: known.cert.fingerprint };
  const i = bestForRole(all.map((a) => a.cert), role ?? '');
  return i >= 0 ? { choice: all[i]!.choice, fingerprint: all[i]!.cert.fingerprint } : null;
}

/** Token and certificate selects; picks the first usable one by default. */
export function TokenPicker({ value, onChange, role }: TokenPickerProps) {
  const api = useApi();
  const { t, lang } = useI18n();
  const id = useId();
  const list = useLoad((a) => listTokens(a), []);
  const saved = useLoad((a) => a['settings:get']({ prefix: 'sign.cert.' }), []);
  const remembered = role ? saved.data?.values[`sign.cert.${role}`] : undefined;
  /** A choice the user made: kept, and remembered for the role. */
  const choose = (sel: TokenSelection | null, c: TokenChoice | null) => {
    onChange(sel, c);
    if (role && sel) void api['settings:set']({ key: `sign.cert.${role}`, value: sel.fingerprint });
  };
  useEvent('token:changed', () => list.reload());
  const choices = list.data ? signingTokens(list.data.modules) : [];
  const current = choices.find((c) => tokenKey(c) === value?.key) ?? null;

  // The role the selection was last picked for: a new role picks again, a user's choice stays.
  const pickedFor = useRef<string | null>(value ? (role ?? '') : null);
  useEffect(() => {
    const roleKey = role ?? '';
    if (current && pickedFor.current === roleKey) return;
    if (!choices.length || (role && !saved.data && !saved.error)) return;
    const best = pickForRole(choices, role, typeof remembered === 'string' ? remembered : undefined);
    pickedFor.current = roleKey;
    if (best && (best.fingerprint !== value?.fingerprint || tokenKey(best.choice) !== value?.key)) onChange({ key: tokenKey(best.choice), fingerprint: best.fingerprint }, best.choice);
  });

  if (list.error) return <ErrorBanner error={list.error} />;
  if (list.loading && !list.data) return <p className="muted">{t('ui.loading')}</p>;
  if (!choices.length) {
    // Say why (a driver that failed to load or timed out) and let the user look again.
    const failed = list.data?.modules.filter((m) => m.error) ?? [];
    return (
      <div role="status" data-testid="no-token">
        <p className="warn">{t('ui.token.none')}</p>
        {failed.map((m) => <p key={m.path} className="muted">{m.error ? errorText(lang, m.error) : m.path}</p>)}
        <button type="button" onClick={list.reload} data-testid="token-refresh">{t('ui.refresh')}</button>
      </div>
    );
  }
  const certs = current?.token.certificates.filter((c) => c.hasPrivateKey) ?? [];
  const cert = certs.find((c) => c.fingerprint === value?.fingerprint);
  return (
    <div className="row">
      <label className="field" htmlFor={`${id}-t`}>
        {t('ui.token.token')}
        <select id={`${id}-t`} value={value?.key ?? ''} data-testid="token-select" onChange={(e) => {
          const c = choices.find((x) => tokenKey(x) === e.target.value) ?? null;
          const first = c?.token.certificates.find((x) => x.hasPrivateKey);
          choose(c && first ? { key: tokenKey(c), fingerprint: first.fingerprint } : null, c);
        }}>
          {choices.map((c) => <option key={tokenKey(c)} value={tokenKey(c)}>{c.token.label} — {c.token.manufacturer}</option>)}
        </select>
      </label>
      <label className="field" htmlFor={`${id}-c`}>
        {t('ui.token.certificate')}
        <select id={`${id}-c`} value={value?.fingerprint ?? ''} data-testid="cert-select"
          onChange={(e) => current && choose({ key: tokenKey(current), fingerprint: e.target.value }, current)}>
          {certs.map((c) => (
            <option key={c.fingerprint} value={c.fingerprint} title={c.subject}>
              {displayName(c.subject)} — {displayName(c.issuer)} ({t('ui.token.until', { date: formatDate(c.notAfter, lang) })})
            </option>
          ))}
        </select>
      </label>
      {cert?.expiresSoon && <p className="warn" role="status">{t('ui.token.expiresSoon', { date: formatDate(cert.notAfter, lang) })}</p>}
    </div>
  );
}
