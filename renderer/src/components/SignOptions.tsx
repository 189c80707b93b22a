/** Role, level and reason of a signature, with the defaults from Settings. */
import { useEffect, useId } from 'react';
import type { z } from 'zod';
import { padesLevelSchema, signRoleSchema, type appearanceSchema } from '../../../main/api/contract/sign.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';

/** Roles and levels offered. */
export const roles = signRoleSchema.options;
export const levels = padesLevelSchema.options;
/** One role. */
export type Role = (typeof roles)[number];
/** One level. */
export type Level = (typeof levels)[number];

/** Copy forms of Decree 30. */
export const copyForms = ['SAO Y', 'SAO LỤC', 'TRÍCH SAO'] as const;
/** One copy form. */
export type CopyForm = (typeof copyForms)[number];

/** Decree 30 stamp fields typed by the user; each role shows only its own. */
export interface StampFields {
  organization: string;
  documentNumber: string;
  documentDate: string;
  copyForm: CopyForm;
  arrivalNumber: string;
  arrivalDate: string;
}

/** The chosen options. */
export interface SignChoices {
  role: Role;
  level: Level;
  reason: string;
  /** Fields of the stamp (kept across role changes so switching back loses nothing). */
  stamp?: Partial<StampFields>;
  /** Signature image path, defaulted from the setting sign.signatureImage. */
  image?: string;
  /** Seal image path, defaulted from the setting sign.sealImage. */
  sealImage?: string;
  /** Timestamp server for B-T and above, from the setting sign.tsaUrl. */
  tsaUrl?: string;
  /** The seal's real diameter in mm (setting sign.sealSizeMm), for seal PNGs that do not say. */
  sealSizeMm?: number;
  /** The anchor text of the signer block (setting sign.anchorText), e.g. "PHÓ CHỦ TỊCH". */
  anchorText?: string;
  /** The Settings defaults were applied once (kept forms are not reset on return). */
  defaultsApplied?: boolean;
}

/** Today in Vietnam time as dd/mm/yyyy (the issue date a clerk usually means). */
export function todayVietnam(now = new Date()): string {
  const d = new Date(now.getTime() + 7 * 3600_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

type StampKey = keyof StampFields;
/** Which stamp fields each role draws (main/signing/appearance.ts roleLines). */
const roleFields: Record<Role, readonly StampKey[]> = {
  approval: [],
  issuing: ['organization', 'documentNumber', 'documentDate'],
  copy: ['copyForm', 'documentNumber', 'organization'],
  incoming: ['arrivalNumber', 'arrivalDate'],
  attachment: ['organization', 'documentNumber'],
  initials: [],
  invisible: [],
};

/** The level fields of sign:files: the level, and the TSA when the level needs one. */
export function levelOf(c: SignChoices): { level: Level; tsaUrl?: string } {
  return { level: c.level, ...(c.level !== 'B-B' && c.tsaUrl ? { tsaUrl: c.tsaUrl } : {}) };
}

/** The appearance accepted by sign:files. */
export type Appearance = z.infer<typeof appearanceSchema>;

/**
 * The `appearance` sent to sign:files: the role, its fields and images, empty values omitted;
 * `defaults` fill what the user left empty (the organization from the certificate, today's
 * date for issuing).
 */
export function appearanceOf(c: SignChoices, defaults: { organization?: string; signerName?: string } = {}): Appearance {
  const out: Appearance = { role: c.role };
  const filled: Partial<StampFields> = { organization: defaults.organization, ...(c.role === 'issuing' ? { documentDate: todayVietnam() } : {}), ...stripEmpty(c.stamp ?? {}) };
  for (const k of roleFields[c.role]) {
    const v = filled[k]?.trim();
    if (!v) continue;
    if (k === 'copyForm') {
      if ((copyForms as readonly string[]).includes(v)) out.copyForm = v as CopyForm;
    } else out[k] = v;
  }
  // Approval shows the signature image; issuing overlays the seal on it (Decree 30).
  const image = c.image?.trim();
  const seal = c.sealImage?.trim();
  if ((c.role === 'approval' || c.role === 'issuing' || c.role === 'initials') && image) out.image = image;
  if (c.role === 'issuing' && seal) out.sealImage = seal;
  if (c.role === 'issuing' && c.sealSizeMm) out.sealSizeMm = c.sealSizeMm;
  if (defaults.signerName) out.signerName = defaults.signerName;
  return out;
}

function stripEmpty(o: Partial<StampFields>): Partial<StampFields> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string' && v.trim() !== '')) as Partial<StampFields>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Labelled inputs for the stamp fields of the chosen role. */
function RoleFields({ value, onChange }: { value: SignChoices; onChange(v: SignChoices): void }) {
  const { t } = useI18n();
  const id = useId();
  const fields = roleFields[value.role];
  if (!fields.length) return null;
  const set = (k: StampKey, v: string) => onChange({ ...value, stamp: { ...value.stamp, [k]: v } });
  return (
    <fieldset className="row" data-testid="stamp-fields">
      <legend>{t('ui.stamp.legend')}</legend>
      {fields.map((k) => (
        <label key={k} className="field" htmlFor={`${id}-${k}`}>
          {t(`ui.stamp.${k}`)}
          {k === 'copyForm' ? (
            <select id={`${id}-${k}`} value={value.stamp?.copyForm ?? 'SAO Y'} onChange={(e) => set(k, e.target.value)} data-testid={`stamp-${k}`}>
              {copyForms.map((f) => <option key={f} value={f}>{f}</option>)}
            </select>
          ) : (
            <input id={`${id}-${k}`} type="text" value={value.stamp?.[k] ?? (k === 'documentDate' && value.role === 'issuing' ? todayVietnam() : '')}
              placeholder={k === 'documentNumber' ? (value.role === 'issuing' ? '125/UBND-VP' : '15/QĐ-UBND') : k === 'organization' ? t('ui.stamp.organizationFromCert') : undefined}
              onChange={(e) => set(k, e.target.value)} data-testid={`stamp-${k}`} />
          )}
        </label>
      ))}
    </fieldset>
  );
}

/** Selects for role and level plus a reason field. */
export function SignOptionsForm({ value, onChange }: { value: SignChoices; onChange(v: SignChoices): void }) {
  const { t } = useI18n();
  const id = useId();
  const defaults = useLoad((api) => api['settings:get']({ prefix: 'sign.' }), []);
  useEffect(() => {
    if (!defaults.data) return;
    const v = defaults.data.values;
    const lv = v['sign.defaultLevel'];
    const rl = v['sign.defaultRole'];
    const mm = Number(v['sign.sealSizeMm']);
    onChange({
      ...value,
      // What Settings holds (images, TSA, seal size, title) follows Settings on every visit...
      image: str(v['sign.signatureImage']),
      sealImage: str(v['sign.sealImage']),
      tsaUrl: str(v['sign.tsaUrl']),
      anchorText: str(v['sign.anchorText']),
      sealSizeMm: mm >= 10 && mm <= 80 ? mm : undefined,
      // ...the default level and role only once: after that they are the user's choice.
      ...(!value.defaultsApplied && (levels as readonly unknown[]).includes(lv) ? { level: lv as Level } : {}),
      ...(!value.defaultsApplied && (roles as readonly unknown[]).includes(rl) ? { role: rl as Role } : {}),
      defaultsApplied: true,
    });
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
      {value.level !== 'B-B' && (
        <p className={value.tsaUrl ? 'muted' : 'warn'} data-testid="tsa-note">
          {value.tsaUrl ? t('ui.sign.tsaFrom', { url: value.tsaUrl }) : t('ui.sign.tsaMissing', { level: value.level })}
        </p>
      )}
      <label className="field" htmlFor={`${id}-reason`}>
        {t('ui.sign.reason')}
        <input id={`${id}-reason`} type="text" value={value.reason} onChange={(e) => onChange({ ...value, reason: e.target.value })} />
      </label>
      <RoleFields value={value} onChange={onChange} />
    </div>
  );
}
