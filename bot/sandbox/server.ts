/**
 * `esm-doctor sandbox` (and `npm start` without Slack tokens): the whole product on one loopback
 * port, with no Slack workspace and no AWS account.
 *
 *   browser ──(page, SSE)──▶ sandbox ──(signed slash command / block_actions)──▶ Bolt app (createApp, HTTPReceiver)
 *                               ▲                                                   │
 *                               └────(chat.postMessage / chat.update / response_url)┘
 *
 * The sandbox plays Slack: it keeps the channel, signs what the person does on the page as Slack
 * signs requests, and answers the bot's Web API calls (`slackApiUrl` points here). The bot is the
 * production app, unchanged: the same listeners, button signing, store and job runner, with the
 * real checks diagnosing the bundled scenario snapshots (accounts.ts). The watcher's state changes
 * go through the production alert notifier (bot/alerts/notifier.ts) into the same channel.
 *
 * One Node server carries everything: Bolt's HTTPReceiver routes `/slack/events` and, as custom
 * routes, the page and the Slack stand-in (the route table in routes/, behind http.ts's guard). The sandbox owns the server (rather than app.start())
 * so that it can listen before the app exists (the Web API URL must name the actual port, which
 * may be a free one chosen by the OS) and can close the page's event streams on shutdown.
 *
 * This file only wires: person.ts plays Slack towards the app, alerts.ts runs the watcher's alerts,
 * routes/ answers the page and the bot.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { HTTPReceiver } from '@slack/bolt';
import { createApp, slackClient } from '../slack/app';
import { loadSlackConfig, type SlackConfig } from '../slack/config';
import { fromEngine, type Diagnose } from '../slack/engine';
import { inProcessRunner } from '../slack/jobs';
import { applyWithWriter, inProcessRemediation, type ApplyFixPlan } from '../slack/remediation';
import { applyPlan } from '../remediate/apply';
import { createLogger, type Level, type SlackLogger } from '../slack/log';
import { MemoryStore } from '../slack/store';
import type { AlertNotifierDeps } from '../alerts/notifier';
import { SandboxAccounts } from './accounts';
import { startSandboxAlerts } from './alerts';
import { customRoutes, listen, send, sendJson } from './http';
import { sandboxPerson, type SandboxPerson } from './person';
import { liveView } from './routes/events';
import { pageRoutes } from './routes/page';
import { personRoutes } from './routes/person';
import { slackApiRoutes } from './routes/slack-api';
import { DEFAULT_TIMINGS, type SandboxWatcher, type WatcherTimings } from './watcher';
import { SANDBOX_IDS, SandboxWorkspace } from './workspace';

export type { ActionResult } from './person';

export const DEFAULT_PORT = 3000;
export const SANDBOX_REGION = 'eu-west-1';

export interface SandboxOptions {
  /** Default 3000; 0 lets the OS choose a free one. Always on 127.0.0.1. */
  port?: number;
  /** How long a diagnosis "takes" (default 1500 ms), so progress states show as they would. */
  diagnoseDelayMs?: number;
  /** When the watched ESM fails and recovers; false for no watcher. */
  watcher?: WatcherTimings | false;
  logger?: SlackLogger;
  logLevel?: Level;
  /** For dates in messages; default the process's zone (the reader's machine). */
  timeZone?: string;
  /** Tuning for the production alert notifier the watcher's events go through (tests shorten the pacing). */
  alerts?: Pick<AlertNotifierDeps, 'pacing' | 'storm'>;
  /** One line per thing worth telling the person at the terminal (alerts arriving). */
  onActivity?: (line: string) => void;
}

export interface Sandbox extends SandboxPerson {
  /** http://localhost:<port> */
  url: string;
  port: number;
  workspace: SandboxWorkspace;
  accounts: SandboxAccounts;
  store: MemoryStore;
  config: SlackConfig;
  watcher?: SandboxWatcher;
  /** Resolves when no diagnosis or alert is in progress. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // The server listens first (its port goes into the app's configuration); requests are routed once the app exists.
  const routing: { listener?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => (routing.listener ? routing.listener(req, res) : send(res, 503, 'starting', 'text/plain')));
  const port = await listen(server, options.port ?? DEFAULT_PORT);
  const base = `http://127.0.0.1:${port}`;
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = new Set([...allowedHosts].map((h) => `http://${h}`));

  // Made up for this process only: the bot and its stand-in share them, nothing else ever sees them.
  const signingSecret = randomBytes(32).toString('hex');
  const botToken = `xoxb-sandbox-${randomBytes(12).toString('hex')}`;
  const config = loadSlackConfig(
    {
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: `${base}/api/`,
      ESM_DOCTOR_DEFAULT_REGION: SANDBOX_REGION,
      // Fix it works against the sandbox's own account; either sandbox person may approve the other's request.
      ESM_DOCTOR_REMEDIATION: 'on',
      ESM_DOCTOR_FIX_APPROVERS: `${SANDBOX_IDS.user},${SANDBOX_IDS.teammate}`,
      LOG_LEVEL: options.logLevel ?? 'warn',
    },
    'http',
  );
  const logger: SlackLogger = options.logger ?? createLogger({ level: config.logLevel, name: 'esm-doctor.sandbox' });
  const workspace = new SandboxWorkspace(botToken);
  const accounts = new SandboxAccounts();
  const store = new MemoryStore();
  const slack = slackClient(config, logger);
  const diagnose: Diagnose = fromEngine(accounts.engine({ delayMs: options.diagnoseDelayMs ?? 1500 }));
  const runner = inProcessRunner({ slack, store, diagnose, buttonKey: config.buttonKey, logger, remediation: true });
  // Approved fixes: the production writer (bot/remediate/apply.ts) against the sandbox account's stand-in clients.
  const writer = applyWithWriter(applyPlan, (plan) => accounts.remediationClients(plan));
  const apply: ApplyFixPlan = async (plan, log) => {
    try {
      return await writer(plan, log);
    } finally {
      accounts.settle(plan.esm.uuid);
    }
  };
  const remediation = inProcessRemediation({
    slack,
    store,
    diagnose,
    apply,
    buttonKey: config.buttonKey,
    logger,
    approvers: { users: config.remediation?.approvers ?? [], groups: [] },
  });

  const person = sandboxPerson({ workspace, base, signingSecret });
  const live = liveView(workspace, options);
  const routes = customRoutes(
    [...pageRoutes({ workspace, accounts, region: SANDBOX_REGION }), live.route, ...personRoutes({ workspace, person }), ...slackApiRoutes({ workspace, logger })],
    { allowedOrigins, logger },
  );

  // ---- the production app --------------------------------------------------------------------
  // processBeforeResponse, as on Lambda: the answer to a request comes once its listener is done (the
  // slow work runs in the job runner either way), so a click or command settles when its effect is in
  // the channel — what `idle()` and the tests rely on.
  const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', customRoutes: routes, logger, processBeforeResponse: true });
  createApp(config, { receiver, store, dispatch: runner.dispatch, remediate: remediation.dispatch, slack, logger });
  routing.listener = (req, res) => {
    // Loopback only, and only under this server's own name: a page on another site that rebinds
    // its DNS name to 127.0.0.1 sends its own Host header, and is refused here.
    if (!allowedHosts.has(req.headers.host ?? '')) return sendJson(res, 403, { ok: false, error: 'unknown host' });
    try {
      receiver.requestListener(req, res);
    } catch {
      // HTTPReceiver throws for a path that is neither the Slack endpoint nor a custom route.
      if (!res.headersSent) send(res, 404, 'Not found', 'text/plain; charset=utf-8');
    }
  };

  const alerts = startSandboxAlerts({
    slack,
    store,
    diagnose,
    buttonKey: config.buttonKey,
    logger,
    accounts,
    workspace,
    timings: options.watcher === undefined ? DEFAULT_TIMINGS : options.watcher,
    ...(options.alerts ? { tuning: options.alerts } : {}),
    activity: options.onActivity ?? (() => undefined),
  });
  const { watcher } = alerts;

  const idle = async () => {
    for (;;) {
      await runner.idle();
      await remediation.idle();
      const running = alerts.running();
      if (!running.length) return;
      await Promise.allSettled(running);
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      watcher?.stop();
      // Let a diagnosis under way finish posting (a few seconds at most), then close everything.
      await Promise.race([idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
      live.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    })());

  return {
    url: `http://localhost:${port}`,
    port,
    workspace,
    accounts,
    store,
    config,
    ...(watcher ? { watcher } : {}),
    command: person.command,
    click: person.click,
    idle,
    stop,
  };
}
