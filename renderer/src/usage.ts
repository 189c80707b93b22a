/** Key usages and extended key usages in words (RFC 5280 names as the core reports them). */
import { hasMessage, type Lang } from '../../resources/locales/index.js';

/** The usages as a readable list; an OID or a name without a label is shown as it is. */
export function usageText(t: (key: string) => string, lang: Lang, names: string[]): string {
  return names.map((n) => (hasMessage(lang, `ui.usage.${n}`) ? t(`ui.usage.${n}`) : n)).join(', ');
}
