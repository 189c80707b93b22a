/**
 * Asks the core where a signature would go and what it would show (`sign:layout`), again
 * whenever the file, the appearance or the placement change; while the user drags, requests
 * are spaced out and only the latest answer counts.
 */
import { useEffect, useRef, useState } from 'react';
import type { ErrorPayload, InputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import type { AppearanceLayout } from './AppearancePreview.js';

type Req = InputOf<'sign:layout'>;

/** The layout for the request (null while none, or for an invisible signature), and the error. */
export function useAppearanceLayout(req: Req | null, delayMs = 120): { layout: AppearanceLayout | null; error: ErrorPayload | null } {
  const api = useApi();
  const [layout, setLayout] = useState<AppearanceLayout | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const seq = useRef(0);
  const key = req && req.appearance.role !== 'invisible' ? JSON.stringify(req) : '';
  useEffect(() => {
    const n = ++seq.current;
    if (!key) {
      setLayout(null);
      setError(null);
      return;
    }
    const timer = setTimeout(() => {
      void api['sign:layout'](JSON.parse(key) as Req).then((r) => {
        if (n !== seq.current) return;
        if (r.ok) {
          setLayout(r.value);
          setError(null);
        } else {
          setLayout(null);
          setError(r.error);
        }
      });
    }, delayMs);
    return () => clearTimeout(timer);
  }, [api, key, delayMs]);
  return { layout, error };
}
