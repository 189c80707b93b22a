/**
 * Provisioning panel of the Tokens screen (issue 8): pick any token (blank ones included),
 * initialise it and manage PINs; once logged in, generate keys, make a CSR, import the issued
 * certificate, delete or rename objects. The inventory below lists every token seen.
 */
import { listTokens } from '../../api/token-list.js';
import { useId, useState } from 'react';
import type { OutputOf } from '../../../../main/api/index.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { PinDialog } from '../../components/PinDialog.js';
import { useEvent, useLoad } from '../../hooks.js';
import { useI18n } from '../../i18n.js';
import { CsrForm } from './CsrForm.js';
import type { TokenTarget } from './fields.js';
import { Inventory } from './Inventory.js';
import { DeleteForm, ImportForm, KeygenForm, RenameForm } from './KeyForms.js';
import { ChangePinForm, InitForm, SetPinForm } from './PinForms.js';
import { errorText } from '../../../../resources/locales/index.js';

type ModuleReport = OutputOf<'token:list'>['modules'][number];

/** Every token of every working module, blank ones included (they can be initialised). */
export function allTokens(modules: ModuleReport[]): TokenTarget[] {
  return modules.flatMap((m) => (m.ok ? m.tokens.map((token) => ({ module: m.path, token })) : []));
}

/** Stable selection key: module and label ('' is the blank token of SoftHSM2-like modules). */
const keyOf = (t: TokenTarget) => `${t.module}|${t.token.label}`;

/** The panel; `onChanged` lets the host screen reload its own token list. */
export function ProvisionPanel({ onChanged }: { onChanged(): void }) {
  const { t, lang } = useI18n();
  const id = useId();
  const list = useLoad((a) => listTokens(a), []);
  useEvent('token:changed', () => list.reload());
  const [selected, setSelected] = useState('');
  const [login, setLogin] = useState(false);
  const [lastKeyId, setLastKeyId] = useState('');
  const [version, setVersion] = useState(0);
  const targets = list.data ? allTokens(list.data.modules) : [];
  const target = targets.find((x) => keyOf(x) === selected) ?? targets[0] ?? null;

  const changed = (select?: string) => {
    if (select !== undefined) setSelected(select);
    setVersion((v) => v + 1);
    list.reload();
    onChanged();
  };
  const props = target ? { target, version, onChanged: (label?: string) => changed(label === undefined ? undefined : `${target.module}|${label}`) } : null;
  const ready = target?.token.flags.tokenInitialized ?? false;

  return (
    <section aria-labelledby={`${id}-title`} data-testid="prov-panel">
      <h2 id={`${id}-title`}>{t('provision.ui.title')}</h2>
      <div className="row"><button type="button" onClick={() => changed()} data-testid="prov-refresh">{t('ui.refresh')}</button></div>
      <ErrorBanner error={list.error} />
      {list.data?.modules.filter((m) => !m.ok).map((m) => <p key={m.path} className="bad" role="alert">{m.error ? errorText(lang, m.error) : m.path}</p>)}
      {list.data && !target && <p className="muted">{t('provision.ui.noToken')}</p>}
      {target && props && (
        <>
          <div className="row">
            <label className="field" htmlFor={`${id}-tk`}>
              {t('provision.ui.token')}
              <select id={`${id}-tk`} value={keyOf(target)} onChange={(e) => setSelected(e.target.value)} data-testid="prov-token">
                {targets.map((x) => (
                  <option key={keyOf(x)} value={keyOf(x)}>
                    {x.token.flags.tokenInitialized ? x.token.label : t('provision.ui.blank')} — {x.token.manufacturer} {x.token.model} · {x.token.slotDescription}
                  </option>
                ))}
              </select>
            </label>
            {ready && !target.token.loggedIn && <button type="button" onClick={() => setLogin(true)} data-testid="prov-login">{t('ui.token.login')}</button>}
            {target.token.loggedIn && <span className="badge ok">{t('ui.token.loggedIn')}</span>}
          </div>
          <InitForm {...props} />
          {ready && (
            <>
              <SetPinForm {...props} />
              <ChangePinForm {...props} />
              {!target.token.loggedIn && <p className="muted" data-testid="prov-need-login">{t('provision.ui.needLogin')}</p>}
              {target.token.loggedIn && (
                <>
                  <KeygenForm {...props} onKey={setLastKeyId} />
                  <CsrForm {...props} keyId={lastKeyId} />
                  <ImportForm {...props} />
                  <RenameForm {...props} />
                  <DeleteForm {...props} />
                </>
              )}
            </>
          )}
          {login && <PinDialog module={target.module} token={target.token} onDone={() => { setLogin(false); changed(); }} />}
        </>
      )}
      <Inventory version={version} />
    </section>
  );
}
