/** Role, level and reason of a signature, with the defaults from Settings. */
import { useEffect, useId } from 'react';
import { padesLevelSchema, signRoleSchema } from '../../../main/api/contract/sign.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';

/** Roles and levels offered. */
export const roles = signRoleSchema.options;
export const levels = padesLevelSchema.options;
/** One role. */
export type Role = (typeof roles)[number];
/** One level. */
export type Level = (typeof levels)[number];

/** The chosen options. */
export interface SignChoices {
  role: Role;
  level: Level;
  reason: string;
}

/** Selects for role and level plus a reason field. */
export function SignOptionsForm({ value, onChange }: { value: SignChoices; onChange(v: SignChoices): void }) {
  const { t } = useI18n();
  const id = useId();
  const defaults = useLoad((api) => api['settings:get']({ prefix: 'sign.' }), []);
  useEffect(() => {
    const lv = defaults.data?.values['sign.defaultLevel'];
    const rl = defaults.data?.values['sign.defaultRole'];
    if ((levels as readonly unknown[]).includes(lv) || (roles as readonly unknown[]).includes(rl)) {
      onChange({ ...value, ...((levels as readonly unknown[]).includes(lv) ? { level: lv as Level } : {}), ...((roles as readonly unknown[]).includes(rl) ? { role: rl as Role } : {}) });
    }
    // Defaults apply once, when they arrive.
  }, [defaults.data]);
  return (
    <div className="row">
      <label className="field" htmlFor={`${id}-r`}>
        {t('ui.sign.role')}
        <select id={`${id}-r`} value={value.role} onChange={(e) => onChange({ ...value, role: e.target.value as Role })} data-testid="role-select">
          {roles.map((r) => <option key={r} value={r}>{t(`ui.role.${r}`)}</option>)}
        </select>
      </label>
      <label className="field" htmlFor={`${id}-l`}>
        {t('ui.sign.level')}
        <select id={`${id}-l`} value={value.level} onChange={(e) => onChange({ ...value, level: e.target.value as Level })} data-testid="level-select">
          {levels.map((l) => <option key={l} value={l}>{t(`ui.level.${l}`)}</option>)}
        </select>
      </label>
      <label className="field" htmlFor={`${id}-reason`}>
        {t('ui.sign.reason')}
        <input id={`${id}-reason`} type="text" value={value.reason} onChange={(e) => onChange({ ...value, reason: e.target.value })} />
      </label>
    </div>
  );
}
