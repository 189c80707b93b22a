/**
 * Recipient picker of the Send screen: a search box over the directory and the province tree
 * with checkboxes. Our own organization is shown but cannot be picked: a document sent to
 * ourselves could never be registered.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { OutputOf } from '../../../main/api/index.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useExchangeLogin } from './useExchangeLogin.js';

type Dir = OutputOf<'exchange:directory'>;
/** One organization of the directory. */
export type Org = Dir['organizations'][number];

/** Builds parent -> children lists of the directory (roots under the empty key). */
export function orgTree(orgs: Org[]): Map<string, Org[]> {
  const codes = new Set(orgs.map((o) => o.code));
  const tree = new Map<string, Org[]>();
  for (const o of orgs) {
    const parent = o.parent && codes.has(o.parent) ? o.parent : '';
    tree.set(parent, [...(tree.get(parent) ?? []), o]);
  }
  return tree;
}

/** Props of RecipientPicker. */
export interface RecipientPickerProps {
  value: string[];
  onChange(v: string[]): void;
  /** Called with the directory when it loads (names for the summary). */
  onDirectory?(d: Dir): void;
}

/** The recipient card. */
export function RecipientPicker({ value, onChange, onDirectory }: RecipientPickerProps) {
  const { t } = useI18n();
  const [refresh, setRefresh] = useState(0);
  const login = useExchangeLogin();
  // The first load uses the cached directory; "Refresh" fetches it from the server again. The
  // server is reached with the connecting certificate: a logged-out token asks its PIN first.
  const dir = useLoad(async (a) => {
    const r = await login.run(() => a['exchange:directory']({ refresh: refresh > 0 }));
    if (r.ok) onDirectory?.(r.value);
    return r;
  }, [refresh]);
  const [query, setQuery] = useState('');
  const orgs = dir.data?.organizations ?? [];
  const self = dir.data?.self?.code ?? null;
  const tree = useMemo(() => orgTree(orgs), [orgs]);
  const toggle = (code: string) => onChange(value.includes(code) ? value.filter((c) => c !== code) : [...value, code]);
  const q = query.trim().toLowerCase();
  const matches = q ? orgs.filter((o) => o.name.toLowerCase().includes(q) || o.code.toLowerCase().includes(q)).slice(0, 50) : [];
  const item = (o: Org) => (
    <label title={o.code}>
      <input type="checkbox" checked={value.includes(o.code)} disabled={o.code === self} onChange={() => toggle(o.code)} data-testid={`org-${o.code}`} /> {o.name}{' '}
      {o.code === self ? <span className="muted" data-testid="org-self">({t('ui.send.selfOrg')})</span> : <span className="muted">({o.code})</span>}
      {o.outside ? <> <span className="badge" title={t('ui.send.outsideHint')} data-testid={`outside-${o.code}`}>{t('ui.send.outside')}</span></> : null}
    </label>
  );
  const branch = (parent: string, depth: number): ReactNode => {
    const kids = tree.get(parent);
    if (!kids || depth > 8) return null;
    return (
      <ul role={depth === 0 ? 'tree' : 'group'}>
        {kids.map((o) => (
          <li key={o.code} role="treeitem" aria-selected={value.includes(o.code)}>
            {tree.has(o.code) ? (
              <details open={depth === 0}>
                <summary>{item(o)}</summary>
                {branch(o.code, depth + 1)}
              </details>
            ) : item(o)}
          </li>
        ))}
      </ul>
    );
  };
  return (
    <fieldset className="card" data-testid="recipients">
      <legend>{t('ui.send.recipients')} ({value.length})</legend>
      <div className="row">
        <button type="button" onClick={() => setRefresh((n) => n + 1)} data-testid="directory-refresh">{t('ui.refresh')}</button>
        <label htmlFor="org-search">{t('ui.send.search')}</label>
        <input id="org-search" type="text" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="org-search" />
      </div>
      <ErrorBanner error={dir.error} />
      {login.pinDialog}
      {q ? <ul>{matches.map((o) => <li key={o.code}>{item(o)}</li>)}</ul> : <div className="tree">{branch('', 0)}</div>}
    </fieldset>
  );
}
