/**
 * The esm-doctor command. Exit codes (the contract): 0 healthy, 1 failing / at-risk / unknown,
 * 2 bad input or the target could not be read (one line on stderr saying why), 3 unexpected.
 *
 * Start-up time is part of the product (an on-call engineer types this mid-incident): this module
 * loads only argument parsing, the target model and the errors. Each sub-command imports what it
 * needs when it runs (`await import(...)`), so --help, bad input, `report` and `--scenario` never
 * load an AWS SDK client, Bolt or the sandbox. Keep new imports here type-only or lazy.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EsmDoctorError, InvalidSnapshot, InvalidTarget } from './model/errors';
import type { Report } from './model/report';
import type { Snapshot } from './model/snapshot';
import { parseTarget, Region, type Target } from './model/target';
import { FORMATS, render } from './render';
import { DEFAULT_WIDTH, renderText } from './render/text';
import { parseWindow } from './impact/changes';
import { version } from '../package.json';
import { firstIssue } from './model/parse-issues';

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Where `fix` reads its confirmation from; default process.stdin. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Long-running commands (start, sandbox) stop when this resolves; default: Ctrl-C (SIGINT) or SIGTERM. */
  until?: Promise<unknown>;
}

const USAGE = `esm-doctor — why is my Lambda Kafka event source mapping failing?

Usage:
  esm-doctor diagnose <uuid|arn> [--region R] [--format text|json|markdown|blocks] [--inspect-secrets] [--probe[=remote]] [--window 60m]
  esm-doctor diagnose --snapshot FILE [--format ...]      diagnose a saved snapshot, offline
  esm-doctor diagnose --scenario NAME [--format ...]      diagnose a bundled scenario, offline
  esm-doctor collect <uuid|arn> [--region R] [--inspect-secrets] [--window 60m] > snap.json
  esm-doctor fix <uuid|arn> [--check ID] [--dry-run] [--yes] [--region R]
                                                          apply the mechanical fixes (plans of API calls, each with its
                                                          undo), after asking; then diagnose again. Exit 2: nothing fixable
  esm-doctor fix --scenario NAME --dry-run                the plans for a bundled scenario, offline
  esm-doctor scenarios                                    list the bundled scenarios
  esm-doctor dependents <resource-id|arn> [--region R] [--format text|json]
                                                          the Kafka ESMs whose diagnosis depends on that resource
  esm-doctor impact --event FILE [--format text|json]     which ESMs a CloudTrail API call event breaks (exit 1 if any fails)
  esm-doctor report                                       diagnose every bundled scenario, in the terminal (no AWS needed)
  esm-doctor sandbox [--port N]                           the whole product on http://localhost:3000: a local Slack
                                                          channel, the real Slack app and checks, no Slack or AWS account
  esm-doctor start [--port N]                             npm start: the Slack app in Socket Mode when SLACK_BOT_TOKEN /
                                                          SLACK_APP_TOKEN are set, the sandbox otherwise
  esm-doctor slack                                        run the Slack app in Socket Mode

Options:
  --region R          AWS region of the ESM (default: from the ARN, AWS_REGION or AWS_DEFAULT_REGION)
  --format F          text (default), json (exactly one Report), markdown, or blocks (the Slack message
                      { text, blocks } exactly as the bot would post it)
  --inspect-secrets   let secret.format read secret values in memory (never printed or stored)
  --probe[=remote]    replay the connection live (DNS, TCP, TLS, SASL, topic, group): --probe from this
                      machine, --probe=remote from the ESM's subnets through the function in ESM_DOCTOR_PROBE_FUNCTION
  --window W          how far back the progress checks read CloudWatch metrics (lag, errors, throttles):
                      minutes or hours, e.g. 60m (default), 90, 3h; 1-minute periods, 10m to 24h
  --port N            sandbox: the local port (default PORT or 3000; 0 picks a free one); it listens on 127.0.0.1 only
  --changes-window W  diagnose: how far back to look for changes in CloudTrail (default 24h; 90m, 7d, ...)
  --no-changes        diagnose: do not look up recent changes (no cloudtrail:LookupEvents call)
  --event FILE        impact: the CloudTrail event (EventBridge's "AWS API Call via CloudTrail" shape)
  --check ID          fix: only the plan of this check
  --dry-run           fix: print the plans, change nothing
  --yes               fix: apply without asking (needed when stdin is not a terminal)
  --no-color          plain text even on a terminal (NO_COLOR is honoured too)
  -h, --help          this help;  -v, --version  the version

Exit codes: 0 healthy, 1 failing or at risk, 2 bad input or the ESM could not be read, 3 unexpected error.
AWS credentials and endpoints come from the usual SDK chain (AWS_PROFILE, AWS_ENDPOINT_URL, ...).
`;

const Options = z.object({
  region: Region.optional(),
  format: z.enum([...FORMATS, 'blocks'], { message: `--format must be one of ${[...FORMATS, 'blocks'].join(', ')}` }).default('text'),
  'inspect-secrets': z.boolean().default(false),
  probe: z.enum(['local', 'remote'], { message: '--probe takes no value (from this machine) or =remote' }).optional(),
  snapshot: z.string().min(1).optional(),
  scenario: z.string().min(1).optional(),
  port: z.string().optional(),
  window: z
    .string()
    .regex(/^\d+\s*(m|min|h)?$/i, { message: 'give minutes or hours, e.g. 60m, 90 or 3h' })
    .transform((w) => (/h$/i.test(w) ? 60 : 1) * parseInt(w, 10))
    .refine((m) => m >= 10 && m <= 1440, { message: 'must be between 10m and 24h' })
    .optional(),
  event: z.string().min(1).optional(),
  'changes-window': z.string().refine((w) => parseWindow(w) !== undefined, 'give a duration like 90m, 24h or 7d (at most 90 days)').optional(),
  'no-changes': z.boolean().default(false),
  'no-color': z.boolean().default(false),
  check: z.string().min(1).optional(),
  'dry-run': z.boolean().default(false),
  yes: z.boolean().default(false),
  help: z.boolean().default(false),
  version: z.boolean().default(false),
});
type Options = z.infer<typeof Options>;

function parse(argv: string[]): { command?: string; positionals: string[]; options: Options } {
  let parsed;
  try {
    parsed = parseArgs({
      // A bare --probe means "from this machine": parseArgs needs the value spelled out.
      args: argv.map((a) => (a === '--probe' ? '--probe=local' : a)),
      allowPositionals: true,
      strict: true,
      options: {
        region: { type: 'string' },
        format: { type: 'string' },
        'inspect-secrets': { type: 'boolean' },
        probe: { type: 'string' },
        snapshot: { type: 'string' },
        scenario: { type: 'string' },
        port: { type: 'string' },
        window: { type: 'string' },
        event: { type: 'string' },
        'changes-window': { type: 'string' },
        'no-changes': { type: 'boolean' },
        'no-color': { type: 'boolean' },
        check: { type: 'string' },
        'dry-run': { type: 'boolean' },
        yes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new InvalidTarget(`${(err as Error).message.replace(/\. To specify.*$/s, '')}; see esm-doctor --help`);
  }
  const result = Options.safeParse(parsed.values);
  if (!result.success) throw new InvalidTarget(firstIssue(result.error, { pathPrefix: '--' }));
  const [command, ...positionals] = parsed.positionals;
  return { command, positionals, options: result.data };
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  try {
    const { command, positionals, options } = parse(argv);
    if (options.version) {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    if (options.help || command === undefined || command === 'help') {
      io.stdout.write(USAGE);
      return command === undefined && !options.help ? 2 : 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new InvalidTarget(`unknown command "${command}"; see esm-doctor --help`);
    return await run(positionals, options, io);
  } catch (err) {
    return reportError(err, io);
  }
}

type Command = (positionals: string[], options: Options, io: Io) => Promise<number>;

/** Sub-command → its runner. A runner imports its heavy modules itself, when it runs. */
const COMMANDS: Record<string, Command> = {
  diagnose: runDiagnose,
  collect: runCollect,
  scenarios: runListScenarios,
  report: (_, options, io) => runReport(io, options),
  start: (_, options, io) => runStart(io, options),
  sandbox: async (_, options, io) => {
    const { runSandbox, sandboxPort } = await import('./sandbox/index');
    return runSandbox(io, { port: sandboxPort(options.port, io.env), until: untilStopped(io) });
  },
  slack: (_, _options, io) => runSlack(io),
  impact: async (_, options, io) => (await import('./commands/impact')).runImpact(options.event, options, io),
  dependents: async (positionals, options, io) => (await import('./commands/impact')).runDependents(positionals, options, io),
  fix: runFixCommand,
};

function reportError(err: unknown, io: Io): number {
  if (err instanceof EsmDoctorError) {
    io.stderr.write(`esm-doctor: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`esm-doctor: unexpected error: ${message}\n`);
  if (io.env.ESM_DOCTOR_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  else io.stderr.write('esm-doctor: set ESM_DOCTOR_DEBUG=1 to see the stack trace\n');
  return 3;
}

function exitCodeOf(report: Report): number {
  return report.verdict === 'healthy' ? 0 : 1;
}

function progress(io: Io): ((message: string) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  return (message) => io.stderr.write(`\u001b[90m… ${message}\u001b[0m\n`);
}

/** Prose wraps to the terminal; piped output (no columns) to 80. */
function terminalWidth(io: Io): number {
  const columns = io.stdout.isTTY ? io.stdout.columns : undefined;
  return columns && columns > 20 ? columns : DEFAULT_WIDTH;
}

/**
 * The Slack message for the report, built by the bot's own builder. Its buttons are signed with the
 * deployment's key when this environment has it, else with a throwaway one (they are only shown).
 */
async function renderBlocks(report: Report, io: Io): Promise<string> {
  const [{ randomBytes }, { renderReport }, { buttonKey, signButtonValue }] = await Promise.all([
    import('node:crypto'),
    import('./slack/blocks'),
    import('./slack/button'),
  ]);
  const configured = io.env.ESM_DOCTOR_BUTTON_KEY || io.env.SLACK_SIGNING_SECRET;
  const key = configured
    ? buttonKey({ ...(io.env.ESM_DOCTOR_BUTTON_KEY ? { buttonKey: io.env.ESM_DOCTOR_BUTTON_KEY } : {}), ...(io.env.SLACK_SIGNING_SECRET ? { signingSecret: io.env.SLACK_SIGNING_SECRET } : {}) })
    : randomBytes(32);
  const target = { uuid: report.target.uuid, region: report.target.region, ...(report.target.account ? { account: report.target.account } : {}) };
  const message = renderReport(report, { buttonValue: signButtonValue(key, target) });
  return JSON.stringify({ text: message.text, blocks: message.blocks }, null, 2) + '\n';
}

/** --window: the progress metrics' window in minutes. */
function windowOption(options: Options): { metricsWindowMinutes?: number } {
  return options.window ? { metricsWindowMinutes: options.window } : {};
}

function useColour(io: Io, options: Options): boolean {
  return Boolean(io.stdout.isTTY) && !options['no-color'] && !io.env.NO_COLOR;
}

function singleTarget(positionals: string[], options: Options, io: Io): Target {
  if (positionals.length === 0) throw new InvalidTarget('no event source mapping given: pass its UUID or ARN (see esm-doctor --help)');
  if (positionals.length > 1) throw new InvalidTarget(`expected one event source mapping, got ${positionals.length}: ${positionals.join(' ')}`);
  return parseTarget(positionals[0]!, { region: options.region, env: io.env });
}

async function loadSnapshotFile(file: string): Promise<Snapshot> {
  const [{ readJsonFile }, { Snapshot }] = await Promise.all([import('./commands/json-file'), import('./model/snapshot')]);
  const json = await readJsonFile(file, 'snapshot', `write one with: esm-doctor collect <uuid> > ${file}`, (message) => new InvalidSnapshot(message));
  const result = Snapshot.safeParse(json);
  if (!result.success) throw new InvalidSnapshot(`${file} is not an esm-doctor snapshot: ${firstIssue(result.error)}`);
  return result.data;
}

async function runDiagnose(positionals: string[], options: Options, io: Io): Promise<number> {
  let report: Report;
  if (options.snapshot || options.scenario) {
    if (options.snapshot && options.scenario) throw new InvalidTarget('give either --snapshot or --scenario, not both');
    const snapshot = options.snapshot ? await loadSnapshotFile(options.snapshot) : (await findScenario(options.scenario!)).snapshot();
    const { diagnoseSnapshot } = await import('./diagnose');
    if (positionals.length) {
      const wanted = singleTarget(positionals, { ...options, region: options.region ?? snapshot.target.region }, io);
      if (wanted.uuid !== snapshot.target.uuid) {
        throw new InvalidTarget(`the snapshot is of ESM ${snapshot.target.uuid}, not ${wanted.uuid}`);
      }
    }
    report = diagnoseSnapshot(snapshot);
  } else {
    const target = singleTarget(positionals, options, io);
    const { diagnose } = await import('./diagnose');
    const changes = options['no-changes'] ? {} : { changes: { windowMs: parseWindow(options['changes-window'] ?? '24h') } };
    ({ report } = await diagnose(target, { inspectSecrets: options['inspect-secrets'], onProgress: progress(io), ...windowOption(options), ...(options.probe ? { probe: options.probe, probeOptions: { env: io.env } } : {}), ...changes }));
  }
  if (options.format === 'blocks') io.stdout.write(await renderBlocks(report, io));
  else io.stdout.write(render(report, options.format, { color: useColour(io, options), width: terminalWidth(io) }));
  return exitCodeOf(report);
}

async function runFixCommand(positionals: string[], options: Options, io: Io): Promise<number> {
  const { runFix } = await import('./commands/fix');
  const fixOptions = { ...(options.check ? { check: options.check } : {}), dryRun: options['dry-run'], yes: options.yes, inspectSecrets: options['inspect-secrets'] };
  if (options.scenario || options.snapshot) {
    if (positionals.length) throw new InvalidTarget('give either an ESM or --scenario / --snapshot, not both');
    const snapshot = options.snapshot ? await loadSnapshotFile(options.snapshot) : (await findScenario(options.scenario!)).snapshot();
    return runFix({ snapshot }, fixOptions, io);
  }
  return runFix({ target: singleTarget(positionals, options, io) }, fixOptions, io);
}

async function runCollect(positionals: string[], options: Options, io: Io): Promise<number> {
  const target = singleTarget(positionals, options, io);
  const { collectSnapshot } = await import('./collect/snapshot');
  const snapshot = await collectSnapshot(target, { inspectSecrets: options['inspect-secrets'], onProgress: progress(io), ...windowOption(options) });
  io.stdout.write(JSON.stringify(snapshot, null, 2) + '\n');
  return 0;
}

async function findScenario(name: string) {
  const { SCENARIOS } = await import('../scenarios/index');
  const scenario = SCENARIOS.find((s) => s.id === name);
  if (!scenario) {
    throw new InvalidTarget(`no bundled scenario "${name}"; one of: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  }
  return scenario;
}

async function runListScenarios(_positionals: string[], _options: Options, io: Io): Promise<number> {
  const { SCENARIOS } = await import('../scenarios/index');
  for (const s of SCENARIOS) io.stdout.write(`${s.id.padEnd(34)} ${s.title}\n`);
  return 0;
}

/** Every bundled scenario through the real checks, summarised in the terminal. */
async function runReport(io: Io, options: Options): Promise<number> {
  const [{ SCENARIOS }, { diagnoseSnapshot }] = await Promise.all([import('../scenarios/index'), import('./diagnose')]);
  const colour = useColour(io, options);
  const bold = (s: string) => (colour ? `\u001b[1m${s}\u001b[0m` : s);
  io.stdout.write(
    `esm-doctor: diagnosing ${SCENARIOS.length} bundled scenarios with the real checks (no AWS account needed).\n` +
      'Against your own account: npx esm-doctor diagnose <uuid|arn> --region <region>\n',
  );
  for (const [i, s] of SCENARIOS.entries()) {
    const report = diagnoseSnapshot(s.snapshot());
    io.stdout.write(`\n${bold(`━━ ${i + 1}/${SCENARIOS.length} · ${s.id} — ${s.title}`)}\n`);
    io.stdout.write(renderText(report, { color: colour, summary: true }));
  }
  io.stdout.write('\nFull report of one scenario: npx esm-doctor diagnose --scenario <name>   (list: npx esm-doctor scenarios)\n');
  return 0;
}

/** Resolves on io.until, or on the first Ctrl-C / SIGTERM (a second one exits at once). */
function untilStopped(io: Io): Promise<unknown> {
  if (io.until) return io.until;
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.once('SIGINT', () => process.exit(130));
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * `npm start`: with Slack tokens, the app in Socket Mode against the real workspace and the AWS
 * account of the current credentials; without, the sandbox. Either runs until Ctrl-C.
 */
async function runStart(io: Io, options: Options): Promise<number> {
  if (io.env.SLACK_BOT_TOKEN || io.env.SLACK_APP_TOKEN) {
    io.stdout.write('esm-doctor: Slack tokens are set: starting the Slack app in Socket Mode (unset SLACK_BOT_TOKEN and SLACK_APP_TOKEN for the local sandbox).\n');
    const { runSocketMode } = await import('./slack/local');
    const app = await runSocketMode(io.env);
    io.stdout.write('esm-doctor: connected to Slack; /esm diagnose <uuid> in a channel the bot is in. Ctrl-C to stop.\n');
    await untilStopped(io);
    io.stdout.write('\nesm-doctor: stopping…\n');
    await app.stop();
    return 0;
  }
  return COMMANDS.sandbox!([], options, io);
}

async function runSlack(io: Io): Promise<number> {
  const { runSocketMode } = await import('./slack/local');
  await runSocketMode(io.env);
  return 0;
}
