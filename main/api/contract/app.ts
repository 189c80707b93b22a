/** Contract of the app frame: identity, host, language. */
import { z } from 'zod';
import { eventsOf, operations } from './define.js';

/** Language codes the UI supports. */
export const langSchema = z.enum(['vi', 'en']);

/** Operations about the app itself. */
export const appOperations = operations({
  'app:info': {
    input: z.object({}).strict(),
    output: z.object({
      name: z.string(),
      version: z.string(),
      host: z.enum(['electron', 'browser']),
      platform: z.string(),
      lang: langSchema,
      home: z.string(),
      coreTime: z.string(),
    }),
  },
  'app:setLang': {
    input: z.object({ lang: langSchema }).strict(),
    output: z.object({ lang: langSchema }),
  },
});

/** Events about the app itself. */
export const appEvents = eventsOf({
  'app:lang': z.object({ lang: langSchema }),
});
