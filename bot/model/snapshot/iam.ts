/** IAM / STS: the execution role, its simulated permissions, the caller. */
import { z } from 'zod';

/** GetRole output's Role. AssumeRolePolicyDocument is URL-encoded JSON, exactly as IAM returns it. */
export const RoleInfo = z.looseObject({
  RoleName: z.string(),
  Arn: z.string(),
  AssumeRolePolicyDocument: z.string().optional(),
});
export type RoleInfo = z.infer<typeof RoleInfo>;

/** SimulatePrincipalPolicy EvaluationResults entry. */
export const EvaluationResult = z.looseObject({
  EvalActionName: z.string(),
  EvalResourceName: z.string().optional(),
  EvalDecision: z.string(),
  MissingContextValues: z.array(z.string()).optional(),
});
export type EvaluationResult = z.infer<typeof EvaluationResult>;

export const CallerIdentity = z.looseObject({
  Account: z.string(),
  Arn: z.string(),
  UserId: z.string().optional(),
});
export type CallerIdentity = z.infer<typeof CallerIdentity>;
