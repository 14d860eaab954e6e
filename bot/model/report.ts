import { z } from 'zod';

/** error = the check could not run (a call was denied or throttled); never a crash. */
export const Status = z.enum(['fail', 'warn', 'pass', 'skip', 'error']);
export type Status = z.infer<typeof Status>;

/** 0 = the ESM's own status; 1..9 = the setup steps in the order Lambda runs them. */
export const Step = z.union([
  z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4),
  z.literal(5), z.literal(6), z.literal(7), z.literal(8), z.literal(9),
]);
export type Step = z.infer<typeof Step>;

export const STEP_NAMES: Record<Step, string> = {
  0: 'ESM status',
  1: 'STS: assume the execution role',
  2: 'Secrets Manager: read the auth secret',
  3: 'Find the brokers',
  4: 'Network path to the brokers',
  5: 'Authenticate (TLS / SASL)',
  6: 'Authorize: topic and consumer group',
  7: 'Poll records',
  8: 'Batch (payload ≤ 6 MB)',
  9: 'Invoke the function',
};

export const Finding = z.object({
  check: z.string(),
  step: Step,
  status: Status,
  title: z.string(),
  detail: z.string(),
  fix: z.string().optional(),
  resources: z.array(z.string()).optional(),
  docs: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

export const Verdict = z.enum(['healthy', 'failing', 'at-risk', 'unknown']);
export type Verdict = z.infer<typeof Verdict>;

export const Report = z.object({
  target: z.object({
    uuid: z.string(),
    region: z.string(),
    account: z.string().optional(),
    arn: z.string().optional(),
  }),
  esm: z
    .object({
      state: z.string(),
      stateTransitionReason: z.string().optional(),
      lastProcessingResult: z.string().optional(),
      source: z.enum(['msk', 'self-managed']),
      functionArn: z.string(),
      topics: z.array(z.string()),
      clusterArn: z.string().optional(),
      bootstrapServers: z.array(z.string()).optional(),
      auth: z.string(),
    })
    .optional(),
  verdict: Verdict,
  headline: z.string(),
  findings: z.array(Finding),
  startedAt: z.string(),
  durationMs: z.number(),
});
export type Report = z.infer<typeof Report>;
