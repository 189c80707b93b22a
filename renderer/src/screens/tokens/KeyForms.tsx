/**
 * Key and certificate forms on a logged-in token: generate a key pair on the token, import a
 * certificate (file or pasted PEM), delete with typed confirmation of the CKA_ID, rename.
 */
import { useId, useState } from 'react';
import type { InputOf } from '../../../../main/api/index.js';
import { useApi } from '../../api/context.js';
import { PathField } from '../../components/PathField.js';
import { useI18n } from '../../i18n.js';
import { Input, Outcome, refOf, type FormProps } from './fields.js';
import { KeyPicker } from './KeyPicker.js';
import { useAction } from './useAction.js';

type KeyType = InputOf<'provision:keygen'>['type'];
type What = InputOf<'provision:delete'>['what'];
const keyTypes: KeyType[] = ['rsa:2048', 'rsa:3072', 'ec:p256', 'ec:p384'];
const whats: What[] = ['cert', 'key', 'all'];

/** Generates a key pair on the token; reports the new CKA_ID so the CSR form can use it. */
export function KeygenForm({ target, onChanged, onKey }: FormProps & { onKey(keyId: string): void }) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const action = useAction();
  const [type, setType] = useState<KeyType>('rsa:2048');
  const [label, setLabel] = useState('');
  const [keyId, setKeyId] = useState('');

  const submit = async () => {
    const input = { token: refOf(target), type, label: label.trim(), ...(keyId.trim() ? { keyId: keyId.trim() } : {}) };
    const ok = await action.run(() => api['provision:keygen'](input), (v) => {
      onKey(v.keyId);
      return t('provision.done.keygen', { type, label: input.label, keyId: v.keyId });
    });
    if (ok) onChanged();
  };

  return (
    <form className="card" data-testid="prov-keygen" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>{t('provision.ui.keygen.title')}</h3>
      <div className="row">
        <label className="field" htmlFor={id}>
          {t('provision.ui.keygen.type')}
          <select id={id} value={type} onChange={(e) => setType(e.target.value as KeyType)} data-testid="prov-keygen-type">
            {keyTypes.map((k) => <option key={k} value={k}>{k.toUpperCase()}</option>)}
          </select>
        </label>
        <Input label={t('provision.ui.keygen.label')} value={label} onChange={setLabel} testId="prov-keygen-label" required />
        <Input label={t('provision.ui.keygen.keyId')} value={keyId} onChange={setKeyId} testId="prov-keygen-keyid" />
      </div>
      <button type="submit" className="primary" disabled={action.busy || !label.trim()} data-testid="prov-keygen-submit">{t('provision.ui.keygen.submit')}</button>
      <Outcome action={action} testId="prov-keygen-done" />
    </form>
  );
}

/** Imports a certificate (PEM/DER/P7B file, or pasted PEM) bound to its key on the token. */
export function ImportForm({ target, onChanged }: FormProps) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const action = useAction();
  const [paths, setPaths] = useState<string[]>([]);
  const [pem, setPem] = useState('');
  const [label, setLabel] = useState('');
  const file = paths[0];

  const submit = async () => {
    const source = file ? { path: file } : { pem };
    const input = { token: refOf(target), ...source, ...(label.trim() ? { label: label.trim() } : {}) };
    const ok = await action.run(() => api['provision:importCert'](input), (v) => t('provision.done.import', { subject: v.subject, keyId: v.keyId, chain: v.chain }));
    if (ok) onChanged();
  };

  return (
    <form className="card" data-testid="prov-import" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>{t('provision.ui.import.title')}</h3>
      <PathField label={t('provision.ui.import.path')} paths={paths} onChange={setPaths} pdfOnly={false} testId="prov-import-path" />
      <label className="field" htmlFor={id}>
        {t('provision.ui.import.pem')}
        <textarea id={id} rows={4} cols={70} value={pem} onChange={(e) => setPem(e.target.value)} data-testid="prov-import-pem" />
      </label>
      <Input label={t('provision.ui.import.label')} value={label} onChange={setLabel} testId="prov-import-label" />
      <button type="submit" className="primary" disabled={action.busy || (!file && !pem.trim())} data-testid="prov-import-submit">{t('provision.ui.import.submit')}</button>
      <Outcome action={action} testId="prov-import-done" />
    </form>
  );
}

/** A select of what to act on: certificate, key or both. */
function WhatSelect({ value, onChange, testId }: { value: What; onChange(w: What): void; testId: string }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      {t('provision.ui.delete.what')}
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as What)} data-testid={testId}>
        {whats.map((w) => <option key={w} value={w}>{t(`provision.ui.what.${w}`)}</option>)}
      </select>
    </label>
  );
}

/** Deletes objects by CKA_ID once the CKA_ID is typed again (the core checks it too). */
export function DeleteForm({ target, onChanged, version }: FormProps) {
  const api = useApi();
  const { t } = useI18n();
  const action = useAction();
  const [keyId, setKeyId] = useState('');
  const [what, setWhat] = useState<What>('all');
  const [confirm, setConfirm] = useState('');
  const id = keyId.trim();

  const [n, setN] = useState(0);
  const submit = async () => {
    const input = { token: refOf(target), keyId: id, what, confirm: confirm.trim() };
    setConfirm('');
    const ok = await action.run(() => api['provision:delete'](input), (v) => t('provision.done.delete', { count: v.count }));
    if (ok) {
      setKeyId('');
      setN(n + 1);
      onChanged();
    }
  };

  return (
    <form className="card" data-testid="prov-delete" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>{t('provision.ui.delete.title')}</h3>
      <div className="row">
        <KeyPicker target={target} label={t('provision.ui.delete.keyId')} value={keyId} onChange={setKeyId} testId="prov-delete-keyid" version={`${version}-${n}`} />
        <WhatSelect value={what} onChange={setWhat} testId="prov-delete-what" />
      </div>
      {id && <Input label={t('provision.ui.delete.confirm', { keyId: id })} value={confirm} onChange={setConfirm} testId="prov-delete-confirm" />}
      <button type="submit" className="danger" disabled={action.busy || !id || confirm.trim() !== id} data-testid="prov-delete-submit">{t('provision.ui.delete.submit')}</button>
      <Outcome action={action} testId="prov-delete-done" />
    </form>
  );
}

/** Renames the key and/or certificate with a CKA_ID. */
export function RenameForm({ target, onChanged, version }: FormProps) {
  const api = useApi();
  const { t } = useI18n();
  const action = useAction();
  const [keyId, setKeyId] = useState('');
  const [label, setLabel] = useState('');
  const [what, setWhat] = useState<What>('all');

  const [n, setN] = useState(0);
  const submit = async () => {
    const input = { token: refOf(target), keyId: keyId.trim(), label: label.trim(), what };
    const ok = await action.run(() => api['provision:rename'](input), (v) => t('provision.done.rename', { count: v.count }));
    if (ok) {
      setN(n + 1);
      onChanged();
    }
  };

  return (
    <form className="card" data-testid="prov-rename" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>{t('provision.ui.rename.title')}</h3>
      <div className="row">
        <KeyPicker target={target} label={t('provision.ui.delete.keyId')} value={keyId} onChange={setKeyId} testId="prov-rename-keyid" version={`${version}-${n}`} />
        <Input label={t('provision.ui.rename.label')} value={label} onChange={setLabel} testId="prov-rename-label" required />
        <WhatSelect value={what} onChange={setWhat} testId="prov-rename-what" />
      </div>
      <button type="submit" disabled={action.busy || !keyId.trim() || !label.trim()} data-testid="prov-rename-submit">{t('provision.ui.rename.submit')}</button>
      <Outcome action={action} testId="prov-rename-done" />
    </form>
  );
}
