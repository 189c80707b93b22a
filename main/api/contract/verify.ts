/** Contract of the verify domain (filled by its issue). */
import { eventsOf, operations } from './define.js';

/** Operations of the verify domain. */
export const verifyOperations = operations({});

/** Events of the verify domain. */
export const verifyEvents = eventsOf({});
