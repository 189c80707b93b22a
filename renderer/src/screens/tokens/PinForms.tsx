/**
 * Token initialisation and PIN forms: init (label, SO PIN, user PIN; typed confirmation when
 * the token already holds data), set/unblock the user PIN with the SO PIN, change the PIN.
 * PIN fields are cleared as soon as they are sent, whatever the outcome.
 */
import { useState } from 'react';
import { useApi } from '../../api/context.js';
import { useI18n } from '../../i18n.js';
import { Input, Outcome, refOf, type FormProps } from './fields.js';
import { useAction } from './useAction.js';

/** Initialises the token (a blank one, or re-initialises after typing its label). */
export function InitForm({ target, onChanged }: FormProps) {
  const api = useApi();
  const { t } = useI18n();
  const action = useAction();
  const [label, setLabel] = useState('');
  const [soPin, setSoPin] = useState('');
  const [userPin, setUserPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const initialized = target.token.flags.tokenInitialized;
  // An initialized token is erased only after its label (or, without a label, its serial) is typed.
  const expected = target.token.label.trim() ? target.token.label : target.token.serial;
  const confirmed = !initialized || (confirm !== '' && confirm === expected);

  const submit = async () => {
    const input = { token: refOf(target), label: label.trim(), soPin, ...(userPin ? { userPin } : {}) };
    setSoPin('');
    setUserPin('');
    setConfirm('');
    const ok = await action.run(() => api['provision:init'](input), (v) => t('provision.done.init', { label: v.label }));
    if (ok) onChanged(input.label);
  };

  return (
    <form className="card" data-testid="prov-init" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>{t('provision.ui.init.title')}</h3>
      <p className="warn">{t('provision.ui.init.warn')}</p>
      <div className="row">
        <Input label={t('provision.ui.init.label')} value={label} onChange={setLabel} testId="prov-init-label" required />
        <Input label={t('provision.ui.init.soPin')} value={soPin} onChange={setSoPin} testId="prov-init-sopin" secret required />
        <Input label={t('provision.ui.init.userPin')} value={userPin} onChange={setUserPin} testId="prov-init-userpin" secret />
      </div>
      {initialized && (
        <Input label={t('provision.ui.init.confirm', { label: expected })} value={confirm} onChange={setConfirm} testId="prov-init-confirm" />
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={action.busy || !label.trim() || !soPin || !confirmed} data-testid="prov-init-submit">
          {t('provision.ui.init.submit')}
        </button>
      </div>
      <Outcome action={action} testId="prov-init-done" />
    </form>
  );
}

/** Sets (or unblocks) the user PIN with the SO PIN. */
export function SetPinForm({ target, onChanged }: FormProps) {
  const api = useApi();
  const { t } = useI18n();
  const action = useAction();
  const [soPin, setSoPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [repeat, setRepeat] = useState('');

  const submit = async () => {
    const input = { token: refOf(target), soPin, newPin };
    const same = newPin === repeat;
    setSoPin('');
    setNewPin('');
    setRepeat('');
    if (!same) return action.fail(t('provision.ui.pin.mismatch'));
    if (await action.run(() => api['provision:setPin'](input), () => t('provision.done.pin'))) onChanged();
  };

  return (
    <form className="card" data-testid="prov-setpin" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>{t('provision.ui.pin.setTitle')}</h3>
      <div className="row">
        <Input label={t('provision.ui.init.soPin')} value={soPin} onChange={setSoPin} testId="prov-setpin-sopin" secret required />
        <Input label={t('provision.ui.pin.new')} value={newPin} onChange={setNewPin} testId="prov-setpin-new" secret required />
        <Input label={t('provision.ui.pin.repeat')} value={repeat} onChange={setRepeat} testId="prov-setpin-repeat" secret required />
      </div>
      <button type="submit" disabled={action.busy || !soPin || !newPin} data-testid="prov-setpin-submit">{t('provision.ui.pin.setSubmit')}</button>
      <Outcome action={action} testId="prov-setpin-done" />
    </form>
  );
}

/** Changes the user PIN with the current one. */
export function ChangePinForm({ target, onChanged }: FormProps) {
  const api = useApi();
  const { t } = useI18n();
  const action = useAction();
  const [oldPin, setOldPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [repeat, setRepeat] = useState('');

  const submit = async () => {
    const input = { token: refOf(target), oldPin, newPin };
    const same = newPin === repeat;
    setOldPin('');
    setNewPin('');
    setRepeat('');
    if (!same) return action.fail(t('provision.ui.pin.mismatch'));
    if (await action.run(() => api['provision:changePin'](input), () => t('provision.done.changePin'))) onChanged();
  };

  return (
    <form className="card" data-testid="prov-changepin" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>{t('provision.ui.pin.changeTitle')}</h3>
      <div className="row">
        <Input label={t('provision.ui.pin.old')} value={oldPin} onChange={setOldPin} testId="prov-changepin-old" secret required />
        <Input label={t('provision.ui.pin.new')} value={newPin} onChange={setNewPin} testId="prov-changepin-new" secret required />
        <Input label={t('provision.ui.pin.repeat')} value={repeat} onChange={setRepeat} testId="prov-changepin-repeat" secret required />
      </div>
      <button type="submit" disabled={action.busy || !oldPin || !newPin} data-testid="prov-changepin-submit">{t('provision.ui.pin.changeSubmit')}</button>
      <Outcome action={action} testId="prov-changepin-done" />
    </form>
  );
}
