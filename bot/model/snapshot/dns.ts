/** DNS (self-managed bootstrap servers, resolved from where esm-doctor runs). */
import { z } from 'zod';

export const ResolvedEndpoint = z.object({
  /** The entry exactly as in KAFKA_BOOTSTRAP_SERVERS. */
  entry: z.string(),
  host: z.string().optional(),
  port: z.number().optional(),
  addresses: z.array(z.string()),
  /** ENOTFOUND, EAI_AGAIN, "malformed", ... */
  error: z.string().optional(),
});
export type ResolvedEndpoint = z.infer<typeof ResolvedEndpoint>;
