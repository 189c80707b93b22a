/** Contract of the provision domain (filled by its issue). */
import { eventsOf, operations } from './define.js';

/** Operations of the provision domain. */
export const provisionOperations = operations({});

/** Events of the provision domain. */
export const provisionEvents = eventsOf({});
