/** Parameters of an error message: the placeholders of `error.<code>` in resources/locales. */
import { z } from 'zod';

/** Error message parameters (never a PIN, key or secret: see main/api/errors.ts). */
export const errorParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
