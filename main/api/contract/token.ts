/** Contract of the token domain (filled by its issue). */
import { eventsOf, operations } from './define.js';

/** Operations of the token domain. */
export const tokenOperations = operations({});

/** Events of the token domain. */
export const tokenEvents = eventsOf({});
