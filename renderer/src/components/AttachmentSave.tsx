/**
 * "Lưu…" for a received file that is not shown in Kyso's viewer (issue 14.7): Kyso never
 * hands it to another program; the user saves a copy where they choose. The desktop app asks
 * with the native save dialog; the browser host with the in-page folder picker (folders of
 * the user's computer listed by the host). The core copies the document's own file (by
 * message id and index) under its safe name, and asks before replacing an existing file.
 */
import { useState } from 'react';
import type { ErrorPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useI18n } from '../i18n.js';
import { replaceConfirmed } from '../saveTarget.js';
import { ErrorBanner } from './ErrorBanner.js';
import { FilePicker } from './FilePicker.js';

/** Props of AttachmentSave. */
export interface AttachmentSaveProps {
  messageId: string;
  /** The file's position in the document's files (exchange:inboxShow). */
  index: number;
  /** The name the copy gets (safe, with the type Kyso found), offered in the save dialog. */
  saveName: string;
  /** The file's extension as Kyso found it (the save dialog's filter). */
  kind: string;
}

/** The save button of one received file, with its confirmation, picker and result. */
export function AttachmentSave({ messageId, index, saveName, kind }: AttachmentSaveProps) {
  const api = useApi();
  const { t } = useI18n();
  const [picking, setPicking] = useState(false);
  const [exists, setExists] = useState<{ target: string; name: string } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);

  /** Saves to `target`; `confirmed`: the native dialog already asked before replacing it. */
  const save = async (target: string, overwrite = false, confirmed = false): Promise<void> => {
    setError(null);
    setSaved(null);
    const r = await api['exchange:saveAttachment']({ messageId, index, path: target, overwrite });
    if (r.ok) {
      setExists(null);
      setSaved(r.value.path);
    } else if (r.error.code === 'saveExists' && !overwrite) {
      // The name the core would write (a typed name is cleaned and given the file's real extension).
      const found = r.error.params?.path;
      // Asked once already, by the system's dialog, for this very file: not a second time.
      if (replaceConfirmed(confirmed, target, found)) return save(target, true);
      setExists({ target, name: typeof found === 'string' ? found.split(/[\\/]/).pop()! : saveName });
    } else setError(r.error);
  };
  const start = async () => {
    setSaved(null);
    setExists(null);
    const d = await api['dialog:saveFile']({ title: t('ui.inbox.saveTitle'), defaultPath: saveName, filters: [{ name: kind.toUpperCase(), extensions: [kind] }] });
    if (!d.ok) return setError(d.error);
    if (d.value.path) return void (await save(d.value.path, false, d.value.native));
    // No native dialog (the browser host): choose a folder in the page; the copy keeps its safe name.
    if (!d.value.native) setPicking(true);
  };

  return (
    <span className="attachment-save">
      <button type="button" onClick={() => void start()} title={t('ui.inbox.saveHint', { name: saveName })} data-testid="inbox-file-save">{t('ui.inbox.save')}</button>
      {exists && (
        <span role="alert" className="warn" data-testid="inbox-save-exists">
          {' '}{t('ui.inbox.saveExists', { name: exists.name })}{' '}
          <button type="button" onClick={() => void save(exists.target, true)} data-testid="inbox-save-replace">{t('ui.inbox.saveReplace')}</button>
          <button type="button" onClick={() => setExists(null)}>{t('ui.cancel')}</button>
        </span>
      )}
      {saved && (
        <span role="status" className="ok" data-testid="inbox-save-done">
          {' '}{t('ui.inbox.saved', { path: saved })}{' '}
          <button type="button" className="link" onClick={() => void api['shell:showItemInFolder']({ path: saved })}>{t('ui.inbox.showInFolder')}</button>
        </span>
      )}
      <ErrorBanner error={error} />
      {picking && (
        <FilePicker directory title={t('ui.inbox.saveTitle')} onClose={() => setPicking(false)}
          onPick={(p) => { setPicking(false); if (p[0]) void save(p[0]); }} />
      )}
    </span>
  );
}
