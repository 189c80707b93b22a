/** Contract of the exchange domain (filled by its issue). */
import { eventsOf, operations } from './define.js';

/** Operations of the exchange domain. */
export const exchangeOperations = operations({});

/** Events of the exchange domain. */
export const exchangeEvents = eventsOf({});
