/**
 * Picks file paths: "Chọn…" opens the native dialog in the desktop app and the in-page
 * picker in the browser host (folders listed by the host over loopback); files dropped on
 * the field give their paths in the desktop app and are copied into KYSO_HOME/uploads by the
 * browser host (a web page never learns a dropped file's path). Paths can still be typed.
 */
import { useEffect, useId, useState } from 'react';
import { useApi } from '../api/context.js';
import { useI18n } from '../i18n.js';
import { FilePicker } from './FilePicker.js';
import { uploadFile } from './upload.js';

/** Props of PathField. */
export interface PathFieldProps {
  label: string;
  paths: string[];
  onChange(paths: string[]): void;
  multiple?: boolean;
  directory?: boolean;
  /** Only PDF files (default), or the given kind. */
  pdfOnly?: boolean;
  accept?: 'pdf' | 'png' | 'any';
  testId?: string;
}

/** The paths in the field's text: one per line, trimmed, empty lines left out. */
export function parsePaths(text: string): string[] {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

function samePaths(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** The folder of a path (for the picker to open there). */
const folderOf = (p: string | undefined) => (p ? p.replace(/[\\/][^\\/]*$/, '') || undefined : undefined);

/** A labelled path input with a "Browse…" button and drag and drop. */
export function PathField({ label, paths, onChange, multiple = false, directory = false, pdfOnly = true, accept, testId }: PathFieldProps) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const kind = accept ?? (pdfOnly ? 'pdf' : 'any');
  const extensions = kind === 'any' || directory ? undefined : [kind];
  const [picking, setPicking] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [dropError, setDropError] = useState<string | null>(null);
  const [dragOver, setDragOver] = useState(false);
  const add = (got: string[]) => onChange(multiple ? [...new Set([...paths, ...got])] : got.slice(0, 1));
  const browse = async () => {
    const r = await api['dialog:openFiles']({ multiple, directory, ...(extensions ? { filters: [{ name: kind.toUpperCase(), extensions }] } : {}) });
    if (!r.ok) return;
    if (!r.value.native) setPicking(true);
    else if (r.value.paths.length) add(r.value.paths);
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
  const onDrop = async (e: React.DragEvent) => {
    setDragOver(false);
    const files = [...e.dataTransfer.files];
    if (!files.length || directory) return;
    e.preventDefault();
    setDropError(null);
    const wanted = extensions ? files.filter((f) => extensions.some((x) => f.name.toLowerCase().endsWith(`.${x}`))) : files;
    if (wanted.length < files.length) setDropError(t('ui.path.wrongType', { kind: kind.toUpperCase() }));
    const pathFor = window.kyso?.pathForFile;
    if (pathFor) {
      add(wanted.map((f) => pathFor(f)).filter(Boolean));
      return;
    }
    // The browser host: copy each file to the host; signed files are written next to the copy.
    const got: string[] = [];
    for (const f of multiple ? wanted : wanted.slice(0, 1)) {
      setNote(t('ui.path.uploading', { name: f.name }));
      const r = await uploadFile(api, f);
      if (r.ok) got.push(r.path);
      else setDropError(r.message);
    }
    setNote(got.length ? t('ui.path.uploaded', { count: got.length, folder: folderOf(got[0]) ?? '' }) : null);
    if (got.length) add(got);
  };
  return (
    <div className={dragOver ? 'field drop-target' : 'field'} onDragOver={(e) => { e.preventDefault(); setDragOver(true); }} onDragLeave={() => setDragOver(false)} onDrop={(e) => void onDrop(e)} data-testid={testId ? `${testId}-drop` : undefined}>
      <label htmlFor={id}>{label}</label>
      <div className="row">
        {multiple ? (
          <textarea id={id} rows={4} cols={70} value={text} onChange={(e) => set(e.target.value)} data-testid={testId} placeholder={t('ui.path.placeholderMany')} />
        ) : (
          <input id={id} type="text" size={70} value={text} onChange={(e) => set(e.target.value)} data-testid={testId} placeholder={t('ui.path.placeholder')} />
        )}
        <button type="button" onClick={() => void browse()} data-testid={testId ? `${testId}-browse` : undefined}>{t('ui.path.browse')}</button>
      </div>
      <p className="muted hint">{t(directory ? 'ui.path.hintFolder' : 'ui.path.hintDrop')}</p>
      {note && <p className="muted" role="status" data-testid={testId ? `${testId}-note` : undefined}>{note}</p>}
      {dropError && <p className="bad" role="alert">{dropError}</p>}
      {picking && (
        <FilePicker start={folderOf(paths[0])} extensions={extensions} multiple={multiple} directory={directory}
          onPick={(p) => { setPicking(false); add(p); }} onClose={() => setPicking(false)} />
      )}
    </div>
  );
}
