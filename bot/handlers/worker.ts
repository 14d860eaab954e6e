/**
 * Async invoke from handlers/slack: one job (diagnose or re-run), validated with zod; diagnoses and
 * posts or edits the Slack message. Configuration: docs/slack.md.
 */
import { diagnose } from '../diagnose';
import { workerHandler } from '../slack/aws';

export const handler = workerHandler(process.env, diagnose);
