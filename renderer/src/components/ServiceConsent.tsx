/**
 * The local signing service's questions, over whatever screen is open: a web site's first
 * request ("may this site use the signing service?"), and every signing request (the
 * documents, where the stamp goes, the certificate, the PIN). One question at a time; the
 * service queues the rest and says how many wait. A question closes by itself when its page
 * goes away or it times out.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { EventPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useEvent } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { ServiceSignDialog } from './ServiceSignDialog.js';

/** A question of the service. */
export type ServicePrompt = EventPayload<'service:prompt'>;

/** A new site's first request: allow (remembered) or refuse (remembered too). */
function OriginDialog({ prompt, onDone }: { prompt: Extract<ServicePrompt, { kind: 'origin' }>; onDone(): void }) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const answer = async (approve: boolean) => {
    setBusy(true);
    await api['service:answer']({ id: prompt.id, approve });
    setBusy(false);
    onDone();
  };
  return (
    <dialog ref={ref} aria-labelledby={`${id}-title`} onCancel={(e) => { e.preventDefault(); void answer(false); }} data-testid="service-origin-dialog">
      <h2 id={`${id}-title`}>{t('ui.service.originTitle')}</h2>
      <p>
        <strong className="origin" data-testid="service-origin">{prompt.origin}</strong> {t('ui.service.originWants', { what: t(prompt.whatKey) })}
      </p>
      <p className="muted">{t('ui.service.originExplain')}</p>
      <div className="row">
        <button type="button" className="primary" disabled={busy} onClick={() => void answer(true)} data-testid="service-origin-allow">{t('ui.service.allow')}</button>
        <button type="button" disabled={busy} onClick={() => void answer(false)} data-testid="service-origin-deny">{t('ui.service.deny')}</button>
      </div>
    </dialog>
  );
}

/** Mounted once by the app shell: shows the oldest open question. */
export function ServiceConsent() {
  const api = useApi();
  const [prompts, setPrompts] = useState<ServicePrompt[]>([]);
  useEffect(() => {
    let live = true;
    // Questions asked before this window opened (or while it reloaded).
    void api['service:pending']({}).then((r) => {
      if (live && r.ok) setPrompts((cur) => [...r.value.prompts.filter((p) => !cur.some((c) => c.id === p.id)), ...cur]);
    });
    return () => {
      live = false;
    };
  }, [api]);
  useEvent('service:prompt', (p) => setPrompts((cur) => (cur.some((c) => c.id === p.id) ? cur : [...cur, p])));
  useEvent('service:promptClosed', ({ id }) => setPrompts((cur) => cur.filter((c) => c.id !== id)));
  const current = prompts[0];
  if (!current) return null;
  const done = () => setPrompts((cur) => cur.filter((c) => c.id !== current.id));
  return current.kind === 'origin'
    ? <OriginDialog key={current.id} prompt={current} onDone={done} />
    : <ServiceSignDialog key={current.id} prompt={current} waiting={prompts.length - 1} onDone={done} />;
}
