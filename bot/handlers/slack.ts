/**
 * Slack → Lambda (Function URL). Verifies the signature, acks within Slack's 3 seconds, and hands
 * anything slow to the worker with an asynchronous invoke. Configuration: docs/slack.md.
 */
import { slackLambdaHandler } from '../slack/aws';

export const handler = slackLambdaHandler(process.env);
