/**
 * The remediation Lambda (only deployed when remediation is on): async invoke from handlers/slack
 * after a second person approved a fix in Slack. Applies the plan with this function's own role
 * (only the plans' write actions; infra/stack.ts), diagnoses again and records it in the thread.
 * Configuration: docs/deploy.md, "Remediation".
 */
import { diagnose } from '../diagnose';
import { applyPlan, createRemediationClients } from '../remediate/apply';
import { remediationHandler } from '../slack/aws';
import { applyWithWriter } from '../slack/remediation';

export const handler = remediationHandler(process.env, diagnose, applyWithWriter(applyPlan, (plan) => createRemediationClients(plan.esm.region)));
