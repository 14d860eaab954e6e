/** Fact<T>: a value, or the error that stopped us reading it. */
import { z } from 'zod';

export const FactError = z.object({
  /** The AWS error name (AccessDeniedException, ThrottlingException, NotFoundException, ...) or a local one. */
  code: z.string(),
  message: z.string(),
  /** The IAM action the call needs, e.g. "ec2:DescribeSubnets": what to grant when code is AccessDenied. */
  action: z.string().optional(),
  /** HTTP status, when the SDK gave one. */
  httpStatus: z.number().optional(),
});
export type FactError = z.infer<typeof FactError>;

/** `source` names how the fact was obtained: the API call as an IAM action ("kafka:DescribeClusterV2"), or "dns", "derived". */
export function fact<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), source: z.string(), value }),
    z.object({ ok: z.literal(false), source: z.string(), error: FactError }),
  ]);
}
export type Fact<T> = { ok: true; source: string; value: T } | { ok: false; source: string; error: FactError };
