/** Runs one provisioning call at a time, keeping its busy state, error and success message. */
import { useState } from 'react';
import type { ErrorPayload, Result } from '../../../../main/api/index.js';

/** State and runner of one form's action. */
export interface Action {
  busy: boolean;
  error: ErrorPayload | null;
  done: string | null;
  /** Calls the core; `onOk` returns the success message (already translated). */
  run<T>(call: () => Promise<Result<T>>, onOk: (value: T) => string | null): Promise<boolean>;
  /** Shows a local validation error (not from the core). */
  fail(message: string): void;
}

/** One action's state; a new run clears the previous outcome. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return {
    busy,
    error,
    done,
    async run(call, onOk) {
      setBusy(true);
      setError(null);
      setDone(null);
      const r = await call();
      setBusy(false);
      if (!r.ok) {
        setError(r.error);
        return false;
      }
      setDone(onOk(r.value));
      return true;
    },
    fail(message) {
      setDone(null);
      setError({ code: 'uiValidation', message });
    },
  };
}
