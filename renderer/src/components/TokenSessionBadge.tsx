/**
 * The token session as the signer sees it (issue 15.10): by default a token is logged out
 * after each signing job; when the setting keeps it for N minutes, the badge names the
 * certificate it signs for and until when, with "log out now". Also the setting's control.
 */
import { useId } from 'react';
import { KEEP_SESSION_SETTING, MAX_KEEP_MINUTES } from '../../../main/api/contract/token.js';
import type { OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useEvent, useLoad } from '../hooks.js';
import { formatDateTime, useI18n } from '../i18n.js';

type SessionState = OutputOf<'token:session'>;

/** The kept session (reloaded on token:session events) and "log out now". */
export function useTokenSession(): { state: SessionState | null; endNow(): Promise<void> } {
  const api = useApi();
  const session = useLoad((a) => a['token:session']({}), []);
  useEvent('token:session', () => session.reload());
  return {
    state: session.data,
    endNow: async () => {
      await api['token:endSession']({});
      session.reload();
    },
  };
}

/**
 * True when signing with (module, label, fingerprint) will not ask for the PIN: a session is
 * kept for exactly that certificate, or the PIN was just entered for this token (token:login)
 * and no job has used it yet. The core decides; a stale answer here only means one more PIN.
 */
export function sessionCovers(state: SessionState | null, module: string, label: string, fingerprint: string): boolean {
  const k = state?.kept;
  if (k && k.module === module && k.label === label && k.fingerprint === fingerprint && Date.parse(k.expiresAt) > Date.now()) return true;
  return !!state?.ready.some((r) => r.module === module && r.label === label && Date.parse(r.until) > Date.now());
}

/** Shown where the PIN is asked: the kept session with "log out now", or that each job asks the PIN. */
export function TokenSessionBadge({ session }: { session: ReturnType<typeof useTokenSession> }) {
  const { t, lang } = useI18n();
  const k = session.state?.kept;
  if (!session.state) return null;
  if (!k) return <p className="muted" data-testid="token-session">{t('ui.session.perJob')}</p>;
  return (
    <p className="badge warn" data-testid="token-session" role="status">
      {t('ui.session.kept', { token: k.label, subject: k.subject, time: formatDateTime(k.expiresAt, lang) })}{' '}
      <button type="button" onClick={() => void session.endNow()} data-testid="token-session-end">{t('ui.session.logoutNow')}</button>
    </p>
  );
}

/** The setting: minutes to keep the token logged in after a job (0: log out after each job). */
export function KeepSessionSetting() {
  const { t } = useI18n();
  const api = useApi();
  const id = useId();
  const setting = useLoad((a) => a['settings:get']({ prefix: KEEP_SESSION_SETTING }), []);
  const value = setting.data?.values[KEEP_SESSION_SETTING];
  const minutes = typeof value === 'number' ? value : 0;
  const save = async (n: number) => {
    const v = Number.isInteger(n) ? Math.min(Math.max(n, 0), MAX_KEEP_MINUTES) : 0;
    await api['settings:set']({ key: KEEP_SESSION_SETTING, value: v });
    setting.reload();
  };
  return (
    <div className="row">
      <label htmlFor={id}>{t('ui.session.keepLabel')}</label>
      <input id={id} type="number" min={0} max={MAX_KEEP_MINUTES} step={1} value={minutes} onChange={(e) => void save(Number(e.target.value))} data-testid="keep-session-minutes" />
      <p className="muted">{t('ui.session.keepHint', { max: MAX_KEEP_MINUTES })}</p>
    </div>
  );
}
