/** Small hooks over AppApi: load an operation's result, subscribe to an event. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppApi, ErrorPayload, EventId, EventPayload, Result } from '../../main/api/index.js';
import { useApi } from './api/context.js';

/** State of one loaded operation. */
export interface Loaded<T> {
  data: T | null;
  error: ErrorPayload | null;
  loading: boolean;
  reload(): void;
}

/** Runs `call` on mount and whenever deps change or reload() is called. */
export function useLoad<T>(call: (api: AppApi) => Promise<Result<T>>, deps: unknown[]): Loaded<T> {
  const api = useApi();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    void call(api).then((r) => {
      if (!live) return;
      setLoading(false);
      if (r.ok) {
        setData(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, tick, ...deps]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Subscribes to a core event for the component's lifetime (latest callback always used). */
export function useEvent<E extends EventId>(event: E, cb: (payload: EventPayload<E>) => void): void {
  const api = useApi();
  const ref = useRef(cb);
  ref.current = cb;
  useEffect(() => api.on(event, (p) => ref.current(p)), [api, event]);
}
