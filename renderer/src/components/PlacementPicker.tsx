/**
 * Where the stamp goes: the current placement, the saved ones (setting `ui.placements`), and
 * saving the current one under a name typed in the page. Not window.prompt: Electron does not
 * implement it (it throws), so saving would silently fail in the desktop app.
 */
import { useId, useState } from 'react';
import { useApi } from '../api/context.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { parsePlacements, type Placement } from './PdfPreview.js';

/** Props of PlacementPicker. */
export interface PlacementPickerProps {
  placement: Placement | null;
  onChange(p: Placement): void;
}

/** The placement card of the Sign screen. */
export function PlacementPicker({ placement, onChange }: PlacementPickerProps) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState('');
  const saved = useLoad((a) => a['settings:get']({ prefix: 'ui.placements' }), []);
  const placements = parsePlacements(saved.data?.values['ui.placements']);
  const save = async () => {
    const n = name.trim();
    if (!placement || !n) return;
    const r = await api['settings:set']({ key: 'ui.placements', value: { ...placements, [n]: placement } });
    if (r.ok) setName('');
    saved.reload();
  };
  return (
    <fieldset className="card">
      <legend>{t('ui.sign.placement')}</legend>
      <p data-testid="placement-text">
        {placement ? t('ui.sign.placementAt', { page: placement.page, x: placement.rect[0], y: placement.rect[1], w: placement.rect[2], h: placement.rect[3] }) : t('ui.sign.placementNone')}
      </p>
      <div className="row">
        <label htmlFor={`${id}-saved`}>{t('ui.sign.savedPlacement')}</label>
        <select id={`${id}-saved`} value="" onChange={(e) => { const p = placements[e.target.value]; if (p) onChange(p); }} data-testid="placement-saved">
          <option value="">—</option>
          {Object.keys(placements).map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </div>
      <div className="row">
        <label htmlFor={`${id}-name`}>{t('ui.sign.placementName')}</label>
        <input id={`${id}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} data-testid="placement-name" />
        <button type="button" disabled={!placement || !name.trim()} onClick={() => void save()} data-testid="placement-save">{t('ui.sign.savePlacement')}</button>
      </div>
    </fieldset>
  );
}
