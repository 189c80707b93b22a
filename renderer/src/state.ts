/**
 * Form state that outlives a screen: what the user typed on Sign, Batch, Send or Verify is
 * still there when they come back from another screen (kept in memory for the session).
 */
import { useCallback, useState } from 'react';

const kept = new Map<string, unknown>();

/** Like useState, but the value is kept under `key` when the component unmounts. */
export function useKeptState<T>(key: string, initial: T | (() => T)): [T, (v: T | ((old: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => (kept.has(key) ? (kept.get(key) as T) : typeof initial === 'function' ? (initial as () => T)() : initial));
  const set = useCallback((v: T | ((old: T) => T)) => {
    setValue((old) => {
      const next = typeof v === 'function' ? (v as (o: T) => T)(old) : v;
      kept.set(key, next);
      return next;
    });
  }, [key]);
  return [value, set];
}

/** Forgets every kept form (tests). */
export function forgetKeptState(): void {
  kept.clear();
}
