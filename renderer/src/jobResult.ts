/** How a finished signing job is summed up (kept apart from the component for tests). */
import type { EventPayload } from '../../main/api/index.js';

type Done = EventPayload<'sign:done'>;

/** The title of a finished job: all signed, some, none, or stopped. */
export function jobTitleKey(r: Done): string {
  const signed = r.results.filter((x) => x.status === 'signed' || x.status === 'skipped').length;
  if (r.cancelled) return 'ui.job.cancelled';
  if (signed === r.results.length) return 'ui.job.finished';
  return signed === 0 ? 'ui.job.noneSigned' : 'ui.job.partlySigned';
}

