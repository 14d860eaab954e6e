/**
 * One moto per test file: `withMoto(name, body)` declares a describe block that starts moto (with the
 * moto_ext additions) before its tests, resets it between tests, and stops it afterwards. Where moto
 * cannot run (no python3, no moto) the block is skipped and the reason printed with console.warn.
 */
import { awsClients, type AwsClients } from '../support/aws-seed';
import { motoAvailable, startMoto, type Moto } from '../support/moto';

export interface MotoContext {
  /** The running moto (throws if it could not start). */
  moto(): Moto;
  /** SDK clients pointed at it. */
  aws(): AwsClients;
}

export function withMoto(name: string, body: (ctx: MotoContext) => void, options: { resetBetweenTests?: boolean } = {}): void {
  const unavailable = motoAvailable();
  if (unavailable) {
    console.warn(`${name}: skipped — ${unavailable}`);
    describe.skip(name, () => body(unreachable));
    return;
  }
  let moto: Moto | undefined;
  let clients: AwsClients | undefined;
  const ctx: MotoContext = {
    moto: () => {
      if (!moto) throw new Error('moto is not running');
      return moto;
    },
    aws: () => {
      if (!clients) throw new Error('moto is not running');
      return clients;
    },
  };
  describe(name, () => {
    beforeAll(async () => {
      const started = await startMoto();
      if ('skipped' in started) {
        console.warn(`${name}: skipped — ${started.skipped}`);
        return;
      }
      moto = started;
      clients = awsClients({ endpoint: moto.endpoint });
    }, 30_000);
    afterAll(async () => {
      clients?.destroy();
      await moto?.stop();
    }, 15_000);
    if (options.resetBetweenTests ?? true) {
      beforeEach(async () => {
        await moto?.reset();
      });
    }
    body(ctx);
  });
}

const unreachable: MotoContext = {
  moto: () => {
    throw new Error('moto is not available');
  },
  aws: () => {
    throw new Error('moto is not available');
  },
};

/**
 * The CLI's environment for a child process: moto's endpoint and test credentials, nothing inherited
 * that could reach AWS. The SDK warns on Node < 22 through process.emitWarning; that is this machine,
 * not the CLI, so the warning is off.
 */
export function cliEnv(ctx: MotoContext): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NO_COLOR: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...ctx.moto().env,
  };
}

/**
 * Points this process's SDK clients at moto for the suite: the collectors' and remediation's default
 * clients read AWS_ENDPOINT_URL and the credentials from the environment, as on Lambda. Registers a
 * beforeAll that sets them and an afterAll that puts back what was there; call it before the suite's
 * own beforeAll that builds clients from the environment.
 */
export function useMotoEnv(ctx: MotoContext): void {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [key, value] of Object.entries({ ...ctx.moto().env, AWS_EC2_METADATA_DISABLED: 'true' })) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}
