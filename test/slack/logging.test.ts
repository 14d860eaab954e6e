import { HTTPReceiver } from '@slack/bolt';
import { createApp } from '../../bot/slack/app';
import { loadSlackConfig } from '../../bot/slack/config';
import { createLogger } from '../../bot/slack/log';
import { MemoryStore } from '../../bot/slack/store';
import { fakeBotToken } from '../fixtures/slack-tokens';

describe('createApp and the log level', () => {
  it('keeps the level LOG_LEVEL asked for (Bolt would reset its logger to INFO)', () => {
    const config = loadSlackConfig({ SLACK_BOT_TOKEN: fakeBotToken('abcdefghijkl'), SLACK_SIGNING_SECRET: 'e3b0c44298fc1c149afbf4c8996fb924', LOG_LEVEL: 'warn' }, 'http');
    const lines: string[] = [];
    const logger = createLogger({ level: config.logLevel, sink: (line) => lines.push(line) });
    createApp(config, { receiver: new HTTPReceiver({ signingSecret: 'e3b0c44298fc1c149afbf4c8996fb924' }), store: new MemoryStore(), dispatch: async () => undefined, logger });
    expect(logger.getLevel()).toBe('warn');
    logger.info('not shown');
    logger.warn('shown');
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(['shown']);
  });
});
