/**
 * What Lambda itself says is wrong with a mapping, as the status checks (step 0) decode it: a family
 * of LastProcessingResult messages, a code Lambda disabled the mapping with (StateTransitionReason,
 * with-kafka-troubleshoot), or a transition that never finishes. Lambda's word is a symptom; each
 * check names, in `explains` beside its code, the symptoms it can confirm, and the status checks
 * derive from the registry which checks back a finding up. A misspelt symptom fails to compile.
 */

/** The families of LastProcessingResult "PROBLEM: ..." messages (bot/checks/status/problems.ts decodes them). */
export const PROBLEM_IDS = [
  'assume-role',
  'destination',
  'vpc-service-access',
  'dns',
  'sasl',
  'tls-both-directions',
  'server-rejected-lambda',
  'lambda-rejected-server',
  'certificate',
  'authentication',
  'authorization',
  'topic-not-found',
  'function-call',
  'internal-error',
  'connection-error',
  'broker-connection',
] as const;
export type ProblemId = (typeof PROBLEM_IDS)[number];

/** The codes Lambda writes into StateTransitionReason when it disables a Kafka ESM itself. */
export const DISABLE_CODE_IDS = ['ESM_CONFIG_NOT_VALID', 'EVENT_SOURCE_AUTHN_ERROR', 'EVENT_SOURCE_AUTHZ_ERROR', 'FUNCTION_CONFIG_NOT_VALID'] as const;
export type DisableCode = (typeof DISABLE_CODE_IDS)[number];

/**
 * A LastProcessingResult family, a disable code, or `stuck`: Creating, Enabling, Updating or Disabling
 * for longer than Lambda takes, which a failing setup step explains.
 */
export type Symptom = ProblemId | DisableCode | 'stuck';
