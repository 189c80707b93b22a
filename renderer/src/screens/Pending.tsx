/** Placeholder for a screen whose domain operations have not landed in the contract yet. */
import { useI18n } from '../i18n.js';

/** Says plainly which contract operations the screen is waiting for. */
export function Pending({ titleKey, ops }: { titleKey: string; ops: string }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="pending-title">
      <h1 id="pending-title">{t(titleKey)}</h1>
      <p className="muted">{t('ui.pending', { ops })}</p>
    </section>
  );
}
