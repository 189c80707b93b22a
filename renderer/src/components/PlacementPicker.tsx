/**
 * Where the stamp goes: automatically where Decree 30 puts it (the seal on the approval
 * signature, attachment and copy stamps top right...), under a line of text found on the
 * page (the signer's title, e.g. "PHÓ CHỦ TỊCH"), by dragging on the preview, or a saved
 * placement (setting `ui.placements`). Saving takes a name typed in the page: Electron has no
 * window.prompt.
 */
import { useId, useState } from 'react';
import type { InputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { parsePlacements, type Placement } from './PdfPreview.js';

/** How the stamp is placed. */
export interface PlacementChoice {
  mode: 'auto' | 'anchor' | 'drag';
  anchor: string;
  /** The dragged (or saved) box, for mode "drag". */
  rect: Placement | null;
}

/** The placement sent to sign:files / sign:layout (undefined: the engine's automatic place). */
export function placementOf(c: PlacementChoice): InputOf<'sign:files'>['placement'] {
  if (c.mode === 'anchor' && c.anchor.trim()) return { anchor: c.anchor.trim() };
  if (c.mode === 'drag' && c.rect) return { page: c.rect.page, rect: c.rect.rect };
  return undefined;
}

/** True when the choice can be used as it is (a drag without a box cannot). */
export function placementReady(c: PlacementChoice): boolean {
  return c.mode === 'auto' || (c.mode === 'anchor' && c.anchor.trim() !== '') || (c.mode === 'drag' && c.rect !== null);
}

/** Props of PlacementPicker. */
export interface PlacementPickerProps {
  value: PlacementChoice;
  onChange(v: PlacementChoice): void;
  /** The role, to name what "automatic" means. */
  role: string;
  /** Offer dragging (Sign, and Batch on its first file). */
  canDrag?: boolean;
}

/** The placement card of the Sign and Batch screens. */
export function PlacementPicker({ value, onChange, role, canDrag = true }: PlacementPickerProps) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState('');
  const saved = useLoad((a) => a['settings:get']({ prefix: 'ui.placements' }), []);
  const placements = parsePlacements(saved.data?.values['ui.placements']);
  const save = async () => {
    const n = name.trim();
    if (!value.rect || !n) return;
    const r = await api['settings:set']({ key: 'ui.placements', value: { ...placements, [n]: value.rect } });
    if (r.ok) setName('');
    saved.reload();
  };
  const modes: PlacementChoice['mode'][] = canDrag ? ['auto', 'anchor', 'drag'] : ['auto', 'anchor'];
  const rect = value.rect;
  return (
    <fieldset className="card" data-testid="placement">
      <legend>{t('ui.sign.placement')}</legend>
      <div className="row" role="radiogroup" aria-label={t('ui.sign.placement')}>
        {modes.map((m) => (
          <label key={m}>
            <input type="radio" name={`${id}-mode`} checked={value.mode === m} onChange={() => onChange({ ...value, mode: m })} data-testid={`placement-mode-${m}`} />{' '}
            {t(`ui.placement.mode.${m}`)}
          </label>
        ))}
      </div>
      {value.mode === 'auto' && <p className="muted" data-testid="placement-text">{t(`ui.placement.auto.${role === 'issuing' ? 'issuing' : role === 'approval' ? 'approval' : 'corner'}`)}</p>}
      {value.mode === 'anchor' && (
        <label className="field" htmlFor={`${id}-anchor`}>
          {t('ui.placement.anchorLabel')}
          <input id={`${id}-anchor`} type="text" value={value.anchor} placeholder="PHÓ CHỦ TỊCH" onChange={(e) => onChange({ ...value, anchor: e.target.value })} data-testid="placement-anchor" />
        </label>
      )}
      {value.mode === 'drag' && (
        <>
          <p data-testid="placement-text">
            {rect ? t('ui.sign.placementAt', { page: rect.page, x: rect.rect[0], y: rect.rect[1], w: rect.rect[2], h: rect.rect[3] }) : t('ui.sign.placementNone')}
          </p>
          <div className="row">
            <label htmlFor={`${id}-saved`}>{t('ui.sign.savedPlacement')}</label>
            <select id={`${id}-saved`} value="" onChange={(e) => { const p = placements[e.target.value]; if (p) onChange({ ...value, mode: 'drag', rect: p }); }} data-testid="placement-saved">
              <option value="">—</option>
              {Object.keys(placements).map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </div>
          <div className="row">
            <label htmlFor={`${id}-name`}>{t('ui.sign.placementName')}</label>
            <input id={`${id}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} data-testid="placement-name" />
            <button type="button" disabled={!rect || !name.trim()} onClick={() => void save()} data-testid="placement-save">{t('ui.sign.savePlacement')}</button>
          </div>
        </>
      )}
    </fieldset>
  );
}
