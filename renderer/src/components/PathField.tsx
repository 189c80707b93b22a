/**
 * Picks file paths: the native dialog in the desktop app; in the browser host (no native
 * dialog) the paths are typed or pasted, one per line.
 */
import { useEffect, useId, useState } from 'react';
import { useApi } from '../api/context.js';
import { useI18n } from '../i18n.js';

/** Props of PathField. */
export interface PathFieldProps {
  label: string;
  paths: string[];
  onChange(paths: string[]): void;
  multiple?: boolean;
  directory?: boolean;
  pdfOnly?: boolean;
  testId?: string;
}

/** The paths in the field's text: one per line, trimmed, empty lines left out. */
export function parsePaths(text: string): string[] {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

function samePaths(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** A labelled path input with a "Browse…" button. */
export function PathField({ label, paths, onChange, multiple = false, directory = false, pdfOnly = true, testId }: PathFieldProps) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const [hint, setHint] = useState(false);
  const browse = async () => {
    const r = await api['dialog:openFiles']({
      multiple,
      directory,
      ...(pdfOnly && !directory ? { filters: [{ name: 'PDF', extensions: ['pdf'] }] } : {}),
    });
    if (!r.ok) return;
    if (!r.value.native) setHint(true);
    else if (r.value.paths.length) onChange(multiple ? [...new Set([...paths, ...r.value.paths])] : r.value.paths.slice(0, 1));
  };
  // The text stays as typed (spaces inside names, a new line being started); the paths the
  // parent gets are trimmed. Paths set from outside (Browse, a drop, a reset) replace the text.
  const [text, setText] = useState(paths.join('\n'));
  useEffect(() => {
    if (!samePaths(parsePaths(text), paths)) setText(paths.join('\n'));
  }, [paths]);
  const set = (v: string) => {
    setText(v);
    onChange(parsePaths(v));
  };
  // Drag and drop from the file manager: the desktop app knows the dropped files' paths.
  const onDrop = (e: React.DragEvent) => {
    const files = [...e.dataTransfer.files];
    const pathFor = window.kyso?.pathForFile;
    if (!files.length) return;
    e.preventDefault();
    if (!pathFor) {
      setHint(true);
      return;
    }
    const dropped = files.map((f) => pathFor(f)).filter(Boolean);
    onChange(multiple ? [...new Set([...paths, ...dropped])] : dropped.slice(0, 1));
  };
  return (
    <div className="field" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <label htmlFor={id}>{label}</label>
      <div className="row">
        {multiple ? (
          <textarea id={id} rows={4} cols={70} value={text} onChange={(e) => set(e.target.value)} data-testid={testId} placeholder={t('ui.path.placeholderMany')} />
        ) : (
          <input id={id} type="text" size={70} value={text} onChange={(e) => set(e.target.value)} data-testid={testId} placeholder={t('ui.path.placeholder')} />
        )}
        <button type="button" onClick={() => void browse()}>{t('ui.path.browse')}</button>
      </div>
      {hint && <p className="muted">{t('ui.path.noNativeDialog')}</p>}
    </div>
  );
}
