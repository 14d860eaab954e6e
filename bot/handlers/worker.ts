/**
 * Async invoke from handlers/slack: one job (diagnose or re-run), validated with zod; diagnoses and
 * posts or edits the Slack message. Configuration: docs/slack.md.
 */
import { recordingEngine, workerEngine } from '../alerts/aws';
import { diagnose } from '../diagnose';
import { workerHandler } from '../slack/aws';

// Watched accounts (ESM_DOCTOR_ACCOUNTS) are diagnosed through their roles, as the alerts are.
// Each diagnosis also refreshes the diagnosed ESM's entry in the dependency index.
export const handler = workerHandler(process.env, workerEngine(process.env, recordingEngine(process.env, diagnose)));
