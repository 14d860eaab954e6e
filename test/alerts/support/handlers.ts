/**
 * The Lambda entry points against moto and the fake Slack API, for end-to-end alert tests: one moto
 * and one fake Slack per test file (started before, stopped after, skipped visibly where moto is
 * missing), the process env restored and console output muted afterwards, the handlers loaded the
 * way Lambda loads them (after the test has set their env), and the schedule's tick.
 */
import * as path from 'node:path';
import { motoGate, type Moto } from '../../support/moto';
import { SEED_ACCOUNT, SEED_REGION } from '../../support/aws-seed';
import { startFakeSlack, type FakeSlack } from '../../slack/support/fake-slack';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, createBus, createTable } from './moto-aws';

export type Handler = (event: unknown) => Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `bot/handlers/<name>`'s `handler`, required now, so it reads the env the test set. */
export function loadHandler(name: 'watcher' | 'alert' | 'impact'): Handler {
  return (require(path.resolve(__dirname, '../../../bot/handlers', name)) as { handler: Handler }).handler; // eslint-disable-line @typescript-eslint/no-require-imports
}

/** The EveryMinute rule's Scheduled Event, as EventBridge delivers it to the watcher. */
export function scheduledTick(minute: number) {
  return {
    version: '0',
    id: `tick-${minute}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: SEED_ACCOUNT,
    time: new Date().toISOString(),
    region: SEED_REGION,
    resources: [`arn:aws:events:${SEED_REGION}:${SEED_ACCOUNT}:rule/EsmDoctor-EveryMinute`],
    detail: {},
  };
}

export interface HandlerWorld {
  gate: ReturnType<typeof motoGate>;
  /** The running moto and fake Slack; throws inside a test that runs without them. */
  world(): { moto: Moto; slack: FakeSlack };
  /**
   * The deployed stack's state in moto (its table, the `esm-doctor` bus, the Slack secret) and the
   * env the stack gives the handlers, plus `env`; the bot token comes from the secret only.
   */
  deploy(options: { table: string; botToken: string; env?: Record<string, string> }): Promise<void>;
}

/** Registers this file's beforeAll/afterAll; `what` names the test in the skip reason. */
export function handlersOnMoto(what: string): HandlerWorld {
  const gate = motoGate(what);
  let moto: Moto | undefined;
  let slack: FakeSlack | undefined;
  const savedEnv = process.env;
  const quiet = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
  beforeAll(async () => {
    if (gate.missing) return;
    moto = await gate.start();
    slack = await startFakeSlack();
  }, 60_000);
  afterAll(async () => {
    process.env = savedEnv;
    quiet.forEach((q) => q.mockRestore());
    await slack?.close();
    await moto?.stop();
  });
  const world = () => {
    if (!moto || !slack) throw new Error('moto is not running');
    return { moto, slack };
  };
  return {
    gate,
    world,
    async deploy({ table, botToken, env = {} }) {
      const { moto: m, slack: api } = world();
      await createTable(m.endpoint, table);
      await createBus(m.endpoint, 'esm-doctor');
      const sm = new SecretsManagerClient(clientConfig(m.endpoint));
      try {
        const secret = await sm.send(
          new CreateSecretCommand({
            Name: 'esm-doctor/slack',
            SecretString: JSON.stringify({ SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: 'e3b0c44298fc1c149afbf4c8996fb924', ESM_DOCTOR_BUTTON_KEY: 'b'.repeat(48) }),
          }),
        );
        process.env = {
          ...savedEnv,
          ...m.env,
          AWS_EC2_METADATA_DISABLED: 'true',
          ESM_DOCTOR_TABLE: table,
          ESM_DOCTOR_EVENT_BUS: 'esm-doctor',
          ESM_DOCTOR_REGIONS: SEED_REGION,
          ESM_DOCTOR_ACCOUNT_ID: SEED_ACCOUNT,
          ESM_DOCTOR_ALERT_CHANNEL: 'C0ALERTS',
          SLACK_SECRET_ARN: secret.ARN!,
          SLACK_API_URL: api.apiUrl,
          LOG_LEVEL: 'warn',
          ...env,
        };
        delete process.env.SLACK_BOT_TOKEN;
      } finally {
        sm.destroy();
      }
    },
  };
}
