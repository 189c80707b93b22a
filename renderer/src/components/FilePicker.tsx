/**
 * The in-page file picker of the browser host (a web page has no native dialog): folders of
 * the user's own computer listed by the host over loopback (`file:listDir`), files filtered
 * by type, several at once when asked, or the folder itself in folder mode.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { formatSize } from '../format.js';
import { useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';

type Listing = OutputOf<'file:listDir'>;

/** Props of FilePicker. */
export interface FilePickerProps {
  /** Folder to open first (e.g. the folder of the current file). */
  start?: string;
  extensions?: string[];
  multiple?: boolean;
  directory?: boolean;
  /** Heading instead of "Chọn tệp" / "Chọn thư mục" (e.g. where to save a copy). */
  title?: string;
  onPick(paths: string[]): void;
  onClose(): void;
}

const join = (dir: string, name: string) => (dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}${dir.includes('\\') && !dir.includes('/') ? '\\' : '/'}${name}`);

/** The picker, as a modal dialog. */
export function FilePicker({ start, extensions, multiple = false, directory = false, title, onPick, onClose }: FilePickerProps) {
  const api = useApi();
  const { t, lang } = useI18n();
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [dir, setDir] = useState<string | undefined>(start);
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  useEffect(() => {
    let live = true;
    void api['file:listDir']({ ...(dir ? { path: dir } : {}), ...(extensions && !directory ? { extensions } : {}) }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setListing(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, dir]);

  const open = (name: string) => {
    setChosen([]);
    setDir(join(listing!.path, name));
  };
  const toggle = (p: string) => setChosen((c) => (multiple ? (c.includes(p) ? c.filter((x) => x !== p) : [...c, p]) : [p]));
  const files = listing?.entries.filter((e) => e.kind === 'file') ?? [];
  return (
    <dialog ref={ref} className="file-picker" aria-labelledby={`${id}-title`} onCancel={onClose} data-testid="file-picker">
      <h2 id={`${id}-title`}>{title ?? t(directory ? 'ui.picker.titleFolder' : 'ui.picker.title')}</h2>
      <div className="picker-body">
        <nav aria-label={t('ui.picker.places')}>
          <ul>{listing?.places.map((p) => <li key={p.path}><button type="button" className="link" onClick={() => { setChosen([]); setDir(p.path); }} title={p.path}>{p.name}</button></li>)}</ul>
        </nav>
        <div>
          <div className="row">
            <button type="button" disabled={!listing?.parent} onClick={() => listing?.parent && setDir(listing.parent)} aria-label={t('ui.picker.up')} data-testid="picker-up">↑</button>
            <code data-testid="picker-path">{listing?.path ?? ''}</code>
          </div>
          <ErrorBanner error={error} />
          <ul className="picker-list" role="listbox" aria-multiselectable={multiple} aria-label={listing?.path}>
            {listing?.entries.map((e) => {
              const full = join(listing.path, e.name);
              return e.kind === 'dir' ? (
                <li key={e.name} role="option" aria-selected={false}><button type="button" className="link" onDoubleClick={() => open(e.name)} onClick={() => open(e.name)} data-testid="picker-dir">📁 {e.name}</button></li>
              ) : (
                <li key={e.name} role="option" aria-selected={chosen.includes(full)}>
                  <label>
                    <input type={multiple ? 'checkbox' : 'radio'} name={`${id}-f`} checked={chosen.includes(full)} disabled={directory} onChange={() => toggle(full)} data-testid="picker-file" />{' '}
                    {e.name} <span className="muted">{formatSize(e.size, lang)}</span>
                  </label>
                </li>
              );
            })}
          </ul>
          {multiple && !directory && files.length > 0 && (
            <button type="button" onClick={() => setChosen(files.map((f) => join(listing!.path, f.name)))} data-testid="picker-all">{t('ui.picker.selectAll', { count: files.length })}</button>
          )}
        </div>
      </div>
      <div className="row">
        <button type="button" className="primary" disabled={directory ? !listing : !chosen.length} onClick={() => onPick(directory ? [listing!.path] : chosen)} data-testid="picker-ok">
          {directory ? t('ui.picker.useFolder') : t('ui.picker.choose', { count: chosen.length })}
        </button>
        <button type="button" onClick={onClose}>{t('ui.cancel')}</button>
      </div>
    </dialog>
  );
}
