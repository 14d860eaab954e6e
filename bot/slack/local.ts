/**
 * `esm-doctor slack` / `npm run slack`: the same app in Socket Mode (no public URL needed), with the
 * AWS credentials of whoever runs it, diagnosing in this process. Resolves once connected; the
 * WebSocket keeps the process alive until stop() or Ctrl-C.
 */
import { SocketModeReceiver } from '@slack/bolt';
import { diagnose as engineDiagnose } from '../diagnose';
import { createApp } from './app';
import { describeConfig, loadSlackConfig } from './config';
import { fromEngine, type Diagnose } from './engine';
import { createLogger, type SlackLogger } from './log';
import { MemoryStore } from './store';
import { DynamoStore } from './store-dynamodb';

export interface SocketModeOptions {
  /** Replaces the real engine (the sandbox, tests). */
  diagnose?: Diagnose;
  logger?: SlackLogger;
}

export async function runSocketMode(
  env: Record<string, string | undefined> = process.env,
  options: SocketModeOptions = {},
): Promise<{ stop: () => Promise<void> }> {
  const config = loadSlackConfig(env, 'socket');
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const receiver = new SocketModeReceiver({ appToken: config.appToken!, logger });
  const app = createApp(config, {
    receiver,
    // With a table configured, acknowledgements survive restarts and are shared with the AWS deployment.
    store: config.table ? new DynamoStore({ table: config.table }) : new MemoryStore(),
    diagnose: options.diagnose ?? fromEngine(engineDiagnose, { inspectSecrets: config.inspectSecrets, probe: config.probe, changes: config.changes }),
    logger,
  });
  await app.start();
  logger.event('info', 'slack.socket-mode-started', describeConfig(config));
  return {
    stop: async () => {
      await app.stop();
    },
  };
}
