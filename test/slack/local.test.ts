import { SlackConfigError } from '../../bot/slack/config';
import { fakeBotToken } from '../fixtures/slack-tokens';

jest.mock('../../bot/diagnose', () => ({ diagnose: jest.fn() }));

describe('runSocketMode', () => {
  it('refuses to start without the app token, naming the variable and not echoing the others', async () => {
    const { runSocketMode } = await import('../../bot/slack/local');
    const attempt = runSocketMode({ SLACK_BOT_TOKEN: fakeBotToken('verysecretvalue'), SLACK_SIGNING_SECRET: 'e3b0c44298fc1c149afbf4c8996fb924' });
    await expect(attempt).rejects.toThrow(SlackConfigError);
    await expect(attempt).rejects.toThrow(/SLACK_APP_TOKEN is required here/);
    await expect(attempt).rejects.not.toThrow(/verysecretvalue|e3b0c442/);
  });
});
