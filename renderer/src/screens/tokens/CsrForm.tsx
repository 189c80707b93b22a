/**
 * Certificate request form: Vietnamese subject fields (CN, O, OU, L, ST, C=VN, email, UID),
 * a preview built by the token (nothing written), then writing the CSR file. Writing is only
 * offered for the subject and key that were previewed, so the file is what was checked.
 */
import { useEffect, useState } from 'react';
import type { OutputOf } from '../../../../main/api/index.js';
import { useApi } from '../../api/context.js';
import { useI18n } from '../../i18n.js';
import { Input, Outcome, refOf, type FormProps } from './fields.js';
import { SUBJECT_FIELDS, subjectText, type SubjectField as Field } from './subject.js';
import { KeyPicker } from './KeyPicker.js';
import { useAction } from './useAction.js';

type Preview = OutputOf<'provision:csr'>;

/** The CSR form; `keyId` is prefilled from the last generated key. */
export function CsrForm({ target, version, keyId: initialKeyId }: FormProps & { keyId: string }) {
  const api = useApi();
  const { t } = useI18n();
  const action = useAction();
  const [keyId, setKeyId] = useState(initialKeyId);
  const [values, setValues] = useState<Partial<Record<Field, string>>>({ C: 'VN' });
  const [preview, setPreview] = useState<{ request: string; result: Preview } | null>(null);
  const [savePath, setSavePath] = useState('');
  const subject = subjectText(values);
  const request = `${keyId.trim()}|${subject}`;
  const current = preview?.request === request ? preview.result : null;
  const input = { token: refOf(target), key: { keyId: keyId.trim() }, subject };

  // A newly generated key becomes the CSR's key.
  useEffect(() => {
    if (initialKeyId) setKeyId(initialKeyId);
  }, [initialKeyId]);

  const showPreview = () =>
    action.run(() => api['provision:csr'](input), (v) => {
      setPreview({ request, result: v });
      return null;
    });
  const save = () => action.run(() => api['provision:csr']({ ...input, savePath: savePath.trim() }), (v) => t('provision.csr.written', { path: v.savedTo ?? '' }));

  return (
    <form className="card" data-testid="prov-csr" onSubmit={(e) => { e.preventDefault(); void showPreview(); }}>
      <h3>{t('provision.ui.csr.title')}</h3>
      <KeyPicker target={target} label={t('provision.ui.csr.keyId')} value={keyId} onChange={setKeyId} testId="prov-csr-keyid" version={`${version}-${initialKeyId}`} />
      <div className="row">
        {SUBJECT_FIELDS.map((f) => (
          <Input key={f} label={t(`provision.ui.csr.${f}`)} value={values[f] ?? ''} onChange={(v) => setValues((o) => ({ ...o, [f]: v }))} testId={`prov-csr-${f}`} required={f === 'CN'} />
        ))}
      </div>
      <button type="submit" disabled={action.busy || !keyId.trim() || !values.CN?.trim()} data-testid="prov-csr-preview">{t('provision.ui.csr.preview')}</button>
      {current && (
        <div data-testid="prov-csr-preview-box">
          <h4>{t('provision.ui.csr.previewTitle')}</h4>
          <p>{t('provision.csr.preview', { keyId: current.keyId })}</p>
          <table className="list">
            <tbody>
              {current.subject.map(([k, v], i) => <tr key={i} data-testid="prov-csr-rdn"><th>{k}</th><td>{v}</td></tr>)}
            </tbody>
          </table>
          <pre className="mono" data-testid="prov-csr-pem">{current.pem}</pre>
          <div className="row">
            <Input label={t('provision.ui.csr.savePath')} value={savePath} onChange={setSavePath} testId="prov-csr-path" />
            <button type="button" className="primary" disabled={action.busy || !savePath.trim()} onClick={() => void save()} data-testid="prov-csr-save">{t('provision.ui.csr.save')}</button>
          </div>
        </div>
      )}
      <Outcome action={action} testId="prov-csr-done" />
    </form>
  );
}
