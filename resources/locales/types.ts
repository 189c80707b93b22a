/** A domain's messages in both languages; keys are dotted, values may hold {placeholders}. */
export interface MessageBundle {
  vi: Record<string, string>;
  en: Record<string, string>;
}
/** Supported UI and CLI languages. Vietnamese is the default. */
export type Lang = 'vi' | 'en';
