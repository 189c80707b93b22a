/** Contract of the sign domain (filled by its issue). */
import { eventsOf, operations } from './define.js';

/** Operations of the sign domain. */
export const signOperations = operations({});

/** Events of the sign domain. */
export const signEvents = eventsOf({});
