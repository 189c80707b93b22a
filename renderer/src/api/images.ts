/**
 * Signature and seal images for previews, read once per path through `file:readImage` (the
 * renderer cannot read local files itself) and kept as data URLs for the session.
 */
import { useEffect, useState } from 'react';
import type { AppApi } from '../../../main/api/index.js';
import { useApi } from './context.js';

const cache = new Map<string, Promise<string | null>>();

/** The image at `path` as a data URL, or null when it cannot be read (the form says why). */
export function imageUrl(api: AppApi, path: string): Promise<string | null> {
  let p = cache.get(path);
  if (!p) {
    p = api['file:readImage']({ path }).then((r) => (r.ok ? `data:image/png;base64,${r.value.base64}` : null));
    cache.set(path, p);
    // A file fixed or replaced later is read again next time.
    void p.then((u) => u === null && cache.delete(path));
  }
  return p;
}

/** Forgets a path (after the user picked a new file under the same name). */
export function forgetImage(path: string): void {
  cache.delete(path);
}

/** The image's data URL for a component (undefined while loading or without a path). */
export function useImageUrl(path: string | undefined): string | undefined {
  const api = useApi();
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    setUrl(undefined);
    if (path) void imageUrl(api, path).then((u) => live && setUrl(u ?? undefined));
    return () => {
      live = false;
    };
  }, [api, path]);
  return url;
}
