/**
 * Picks a key pair on the token from a list (provision:keys: CKA_ID, label, the certificate
 * bound to it) instead of typing hex CKA_IDs.
 */
import { useId } from 'react';
import { useLoad } from '../../hooks.js';
import { useI18n } from '../../i18n.js';
import { displayName } from '../../dn.js';
import { refOf, type TokenTarget } from './fields.js';

/** Props of KeyPicker. */
export interface KeyPickerProps {
  target: TokenTarget;
  label: string;
  value: string;
  onChange(keyId: string): void;
  testId: string;
  /** Changes when keys were added or removed (reloads the list). */
  version?: unknown;
}

/** The key select. */
export function KeyPicker({ target, label, value, onChange, testId, version }: KeyPickerProps) {
  const { t } = useI18n();
  const id = useId();
  const keys = useLoad((a) => a['provision:keys']({ token: refOf(target) }), [target.module, target.token.label, target.token.loggedIn, version]);
  const list = keys.data?.keys ?? [];
  return (
    <label className="field" htmlFor={id}>
      {label}
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} required>
        <option value="">{list.length ? t('provision.ui.key.choose') : t('provision.ui.key.none')}</option>
        {list.map((k) => (
          <option key={k.keyId} value={k.keyId}>
            {k.label || '—'} · {k.subject ? displayName(k.subject) : t('provision.ui.key.noCert')} · CKA_ID {k.keyId}
          </option>
        ))}
      </select>
    </label>
  );
}
