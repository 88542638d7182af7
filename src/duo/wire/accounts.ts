import { z } from 'zod';
import { obj } from './lenient.js';

export const childAccountSchema = obj({
  account_id: z.string(),
  api_hostname: z.string(),
  name: z.string().nullish(),
});
export type DuoChildAccount = z.infer<typeof childAccountSchema>;
export const accountListSchema = z.array(childAccountSchema);
