/**
 * The remediation Lambda (only deployed when remediation is on): async invoke from handlers/slack
 * after a second person approved a fix in Slack. Applies the plan with this function's own role
 * (only the plans' write actions; infra/stack.ts), diagnoses again and records it in the thread.
 * Configuration: docs/deploy.md, "Remediation".
 */
import { diagnose } from '../diagnose';
import { applyPlan, createRemediationClients, PlanRefused } from '../remediate/apply';
import { remediationHandler } from '../slack/aws';
import { applyWithWriter } from '../slack/remediation';

// This function's role writes in its own account only: a plan for another account is refused before any call.
const ownAccount = process.env.ESM_DOCTOR_ACCOUNT_ID;
const clientsFor = (plan: { esm: { region: string; account?: string } }) => {
  if (ownAccount && plan.esm.account && plan.esm.account !== ownAccount) {
    throw new PlanRefused(`the ESM is in account ${plan.esm.account}; esm-doctor applies fixes only in its own account (${ownAccount}). Run the commands there.`);
  }
  return createRemediationClients(plan.esm.region);
};

export const handler = remediationHandler(process.env, diagnose, applyWithWriter(applyPlan, clientsFor));
