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
 * routes, the page and the Slack stand-in. The sandbox owns the server (rather than app.start())
 * so that it can listen before the app exists (the Web API URL must name the actual port, which
 * may be a free one chosen by the OS) and can close the page's event streams on shutdown.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPReceiver, type CustomRoute } from '@slack/bolt';
import { createApp, slackClient } from '../slack/app';
import { loadSlackConfig, type SlackConfig } from '../slack/config';
import { fromEngine, type Diagnose } from '../slack/engine';
import { inProcessRunner } from '../slack/jobs';
import { applyWithWriter, inProcessRemediation, type ApplyFixPlan } from '../slack/remediation';
import { applyPlan } from '../remediate/apply';
import { escapeMrkdwn } from '../slack/limits';
import { createLogger, errorFields, type Level, type SlackLogger } from '../slack/log';
import { MemoryStore } from '../slack/store';
import type { EsmStateChange } from '../model/events';
import { createAlertNotifier, type AlertNotifierDeps } from '../alerts/notifier';
import { MemoryAlertStore } from '../alerts/alert-store';
import { createPreAlerter } from '../impact/prealert';
import { scriptedImpact } from './change';
import { SandboxAccounts, type SandboxEsm } from './accounts';
import { emojiSvg } from './emoji';
import { AVATARS, CONTENT_SECURITY_POLICY, PAGE_CSS, PAGE_HTML, PAGE_JS } from './page';
import { blockActionBody, signedHeaders, slashCommandBody, type Workspace } from './signing';
import { messageHtml, type ViewContext } from './view';
import { DEFAULT_TIMINGS, startWatcher, type SandboxWatcher, type WatcherTimings } from './watcher';
import { parseApiArgs, SANDBOX_IDS, SandboxWorkspace, type ApiResult, type ChannelEvent } from './workspace';

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

export interface ActionResult {
  ok: boolean;
  error?: string;
}

export interface Sandbox {
  /** http://localhost:<port> */
  url: string;
  port: number;
  workspace: SandboxWorkspace;
  accounts: SandboxAccounts;
  store: MemoryStore;
  config: SlackConfig;
  watcher?: SandboxWatcher;
  /** What the person types after the command, sent as Slack would send it. */
  command(text: string, command?: string): Promise<ActionResult>;
  /** A click on a button of a message in the channel, by "you" or, with `as: 'teammate'`, by the second sandbox person. */
  click(ts: string, actionId: string, blockId?: string, as?: 'you' | 'teammate'): Promise<ActionResult>;
  /** Resolves when no diagnosis or alert is in progress. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const WORKSPACE: Workspace = { teamId: SANDBOX_IDS.team, teamDomain: SANDBOX_IDS.teamDomain, appId: SANDBOX_IDS.app };
const BODY_LIMIT = 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...extra,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function findButton(blocks: unknown[] | undefined, actionId: string, blockId?: string): Record<string, unknown> | undefined {
  for (const block of blocks ?? []) {
    if (typeof block !== 'object' || block === null) continue;
    const b = block as Record<string, unknown>;
    if (blockId && b.block_id !== blockId) continue;
    const candidates = [...(Array.isArray(b.elements) ? b.elements : []), ...(b.accessory ? [b.accessory] : [])];
    for (const e of candidates) {
      if (typeof e === 'object' && e !== null && (e as Record<string, unknown>).type === 'button' && (e as Record<string, unknown>).action_id === actionId) {
        return e as Record<string, unknown>;
      }
    }
  }
  return undefined;
}

function esmSummary(esm: SandboxEsm) {
  return {
    uuid: esm.uuid,
    region: esm.region,
    scenario: esm.scenario.id,
    title: esm.watched ? `${esm.scenario.title} — the sandbox watcher makes this one fail for a while` : esm.scenario.title,
    functionName: esm.functionName,
    topics: esm.topics,
    watched: esm.watched,
  };
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
  const activity = options.onActivity ?? (() => undefined);
  const user = workspace.people[SANDBOX_IDS.user]!;

  // ---- the page's live view ------------------------------------------------------------------
  const view = (): ViewContext => ({
    people: workspace.people,
    channels: { [workspace.channel.id]: workspace.channel.name },
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  const streams = new Set<ServerResponse>();
  const render = (ts: string) => {
    const m = workspace.find(ts);
    return m ? messageHtml(m, view(), workspace.replies(ts)) : undefined;
  };
  const push = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const onChange = (event: ChannelEvent) => {
    const html = event.type === 'upsert' ? render(event.ts) : undefined;
    for (const res of streams) {
      if (event.type === 'upsert' && html) push(res, 'upsert', { ts: event.ts, html });
      else push(res, 'delete', { ts: event.ts });
    }
  };
  workspace.on('change', onChange);
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 20_000);
  heartbeat.unref();

  // ---- playing Slack towards the app ---------------------------------------------------------
  const toApp = async (body: string): Promise<{ ok: true; status: number; body: string } | { ok: false; error: string }> => {
    try {
      // Slack gives an app 3 seconds to acknowledge; then it shows the person an error.
      const res = await fetch(`${base}/slack/events`, { method: 'POST', headers: signedHeaders(body, signingSecret), body, signal: AbortSignal.timeout(3000) });
      const text = await res.text();
      if (!res.ok) return { ok: false, error: 'dispatch_failed' };
      return { ok: true, status: res.status, body: text };
    } catch (err) {
      return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'operation_timeout' : 'dispatch_failed' };
    }
  };
  const slackbotSays = (text: string) => workspace.post({ user: SANDBOX_IDS.slackbot, text, ephemeralFor: user.id });
  let triggers = 0;
  const triggerId = () => `${Date.now()}.${++triggers}.${randomBytes(6).toString('hex')}`;

  const command = async (text: string, name = '/esm'): Promise<ActionResult> => {
    if (name !== '/esm') {
      slackbotSays(`\`${escapeMrkdwn(name)}\` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.`);
      return { ok: false, error: 'unknown_command' };
    }
    const responseUrl = workspace.issueResponseUrl(base, { user: user.id });
    const body = slashCommandBody(WORKSPACE, {
      command: name,
      // As Slack does: the command's text arrives with &, < and > escaped.
      text: escapeMrkdwn(text),
      userId: user.id,
      userName: user.name,
      channelId: workspace.channel.id,
      channelName: workspace.channel.name,
      responseUrl,
      triggerId: triggerId(),
    });
    // The acknowledgement answers this moment, even if the job's first message reaches the channel first.
    const ackTs = workspace.reserveTs();
    const answer = await toApp(body);
    if (!answer.ok) {
      slackbotSays(`${escapeMrkdwn(name)} failed with the error "${answer.error}"`);
      return { ok: false, error: answer.error };
    }
    // The acknowledgement's body is the immediate answer: JSON (text, blocks, response_type) or plain text.
    if (answer.body) {
      let ack: Record<string, unknown>;
      try {
        ack = JSON.parse(answer.body) as Record<string, unknown>;
      } catch {
        ack = { text: answer.body };
      }
      if (ack.text || Array.isArray(ack.blocks)) {
        workspace.post({
          user: SANDBOX_IDS.botUser,
          text: String(ack.text ?? ''),
          ...(Array.isArray(ack.blocks) ? { blocks: ack.blocks } : {}),
          ...(ack.response_type === 'in_channel' ? {} : { ephemeralFor: user.id }),
        }, ackTs);
      }
    }
    return { ok: true };
  };

  const click = async (ts: string, actionId: string, blockId?: string, as: 'you' | 'teammate' = 'you'): Promise<ActionResult> => {
    const clicker = as === 'teammate' ? workspace.people[SANDBOX_IDS.teammate]! : user;
    const message = workspace.find(ts);
    if (!message) return { ok: false, error: 'message_not_found' };
    // The value comes from the message as the channel has it, never from the page.
    const button = findButton(message.blocks, actionId, blockId);
    if (!button) return { ok: false, error: 'action_not_found' };
    const containerBlock = (message.blocks ?? []).find((b) => findButton([b], actionId, blockId)) as Record<string, unknown> | undefined;
    const body = blockActionBody(WORKSPACE, {
      userId: clicker.id,
      userName: clicker.name,
      channelId: workspace.channel.id,
      channelName: workspace.channel.name,
      message: { ts, user: message.user, ...(message.user === SANDBOX_IDS.botUser ? { botId: SANDBOX_IDS.botId } : {}), text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) },
      isEphemeral: Boolean(message.ephemeralFor),
      action: {
        actionId,
        ...(typeof containerBlock?.block_id === 'string' ? { blockId: containerBlock.block_id } : {}),
        text: button.text,
        ...(typeof button.value === 'string' ? { value: button.value } : {}),
        ...(typeof button.url === 'string' ? { url: button.url } : {}),
        ...(typeof button.style === 'string' ? { style: button.style } : {}),
      },
      actionTs: `${(Date.now() / 1000).toFixed(6)}`,
      responseUrl: workspace.issueResponseUrl(base, { user: clicker.id, messageTs: ts }),
      triggerId: triggerId(),
    });
    const answer = await toApp(body);
    if (!answer.ok) {
      slackbotSays(`esm-doctor did not answer that click (\`${answer.error}\`).`);
      return { ok: false, error: answer.error };
    }
    return { ok: true };
  };

  // ---- routes ----------------------------------------------------------------------------------
  type Handler = (req: IncomingMessage & { params?: Record<string, string> }, res: ServerResponse) => Promise<void>;
  const guarded = (handler: Handler, opts: { fromPage?: boolean } = {}) => (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (opts.fromPage && req.method === 'POST') {
        // Only this page may act: JSON only (a cross-site form cannot send it without a preflight
        // this server never grants) and, when the browser says where it comes from, from here.
        if (!req.headers['content-type']?.startsWith('application/json')) throw new HttpError(415, 'expected application/json');
        const origin = req.headers.origin;
        if (origin && !allowedOrigins.has(origin)) throw new HttpError(403, 'cross-origin request refused');
      }
      await handler(req, res);
    })().catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) logger.event('error', 'sandbox.request-failed', { path: req.url?.split('?')[0], ...errorFields(err) });
      if (!res.headersSent) sendJson(res, status, { ok: false, error: err instanceof HttpError ? err.message : 'internal_error' });
      else res.end();
    });
  };
  const json = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    try {
      const parsed: unknown = JSON.parse((await readBody(req)) || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      return parsed as Record<string, unknown>;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'invalid JSON');
    }
  };
  const str = (v: unknown, max = 4000): string => (typeof v === 'string' ? v.slice(0, max) : '');

  const routes: CustomRoute[] = [
    { path: '/', method: 'GET', handler: guarded(async (_req, res) => send(res, 200, PAGE_HTML, 'text/html; charset=utf-8', { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-frame-options': 'DENY' })) },
    { path: '/sandbox/app.js', method: 'GET', handler: guarded(async (_req, res) => send(res, 200, PAGE_JS, 'text/javascript; charset=utf-8')) },
    { path: '/sandbox/app.css', method: 'GET', handler: guarded(async (_req, res) => send(res, 200, PAGE_CSS, 'text/css; charset=utf-8')) },
    {
      path: '/sandbox/emoji/:name',
      method: 'GET',
      handler: guarded(async (req, res) => {
        const svg = emojiSvg(req.params?.name ?? '');
        if (!svg) throw new HttpError(404, 'no such emoji');
        send(res, 200, svg, 'image/svg+xml', { 'cache-control': 'max-age=3600' });
      }),
    },
    {
      path: '/sandbox/avatar/:who',
      method: 'GET',
      handler: guarded(async (req, res) => {
        const who = req.params?.who ?? '';
        const svg = Object.prototype.hasOwnProperty.call(AVATARS, who) ? AVATARS[who] : undefined;
        if (!svg) throw new HttpError(404, 'no such avatar');
        send(res, 200, svg, 'image/svg+xml', { 'cache-control': 'max-age=3600' });
      }),
    },
    { path: '/favicon.ico', method: 'GET', handler: guarded(async (_req, res) => send(res, 204, '', 'text/plain')) },
    {
      path: '/sandbox/state',
      method: 'GET',
      handler: guarded(async (_req, res) =>
        sendJson(res, 200, {
          workspace: 'esm-doctor sandbox',
          channel: workspace.channel,
          user: { id: user.id, name: user.name },
          teammate: { id: SANDBOX_IDS.teammate, name: workspace.people[SANDBOX_IDS.teammate]!.name },
          region: SANDBOX_REGION,
          commands: [{ name: '/esm', usage: 'diagnose <uuid|arn> [region] · help', description: 'esm-doctor: why a Kafka event source mapping fails' }],
          esms: accounts.list().map(esmSummary),
        }),
      ),
    },
    {
      path: '/sandbox/events',
      method: 'GET',
      handler: guarded(async (req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
        res.write('retry: 1000\n\n');
        push(res, 'reset', {});
        for (const m of workspace.topLevel()) {
          const html = render(m.ts);
          if (html) push(res, 'upsert', { ts: m.ts, html });
        }
        streams.add(res);
        req.on('close', () => streams.delete(res));
      }),
    },
    {
      path: '/sandbox/command',
      method: 'POST',
      handler: guarded(
        async (req, res) => {
          const body = await json(req);
          const name = str(body.command, 100) || '/esm';
          sendJson(res, 200, await command(str(body.text), name));
        },
        { fromPage: true },
      ),
    },
    {
      path: '/sandbox/action',
      method: 'POST',
      handler: guarded(
        async (req, res) => {
          const body = await json(req);
          const blockId = str(body.blockId, 255);
          sendJson(res, 200, await click(str(body.ts, 40), str(body.actionId, 255), blockId || undefined, body.as === 'teammate' ? 'teammate' : 'you'));
        },
        { fromPage: true },
      ),
    },
    {
      path: '/sandbox/message',
      method: 'POST',
      handler: guarded(
        async (req, res) => {
          const text = str((await json(req)).text).trim();
          // The Slack client escapes what a person types before it sends it.
          if (text) workspace.post({ user: user.id, text: escapeMrkdwn(text) });
          sendJson(res, 200, { ok: true });
        },
        { fromPage: true },
      ),
    },
    {
      path: '/sandbox/dismiss',
      method: 'POST',
      handler: guarded(
        async (req, res) => {
          const ts = str((await json(req)).ts, 40);
          const m = workspace.find(ts);
          if (m?.ephemeralFor) workspace.delete(ts);
          sendJson(res, 200, { ok: Boolean(m?.ephemeralFor) });
        },
        { fromPage: true },
      ),
    },
    {
      path: '/api/:method',
      method: 'POST',
      handler: guarded(async (req, res) => {
        const raw = await readBody(req);
        let args: Record<string, unknown>;
        try {
          args = parseApiArgs(raw, req.headers['content-type']);
        } catch {
          return sendJson(res, 200, { ok: false, error: 'invalid_json' });
        }
        const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
        const token = bearer || (typeof args.token === 'string' ? args.token : undefined);
        const method = req.params?.method ?? '';
        const result: ApiResult = workspace.call(method, args, token);
        if (!result.ok) logger.event('warn', 'sandbox.api-error', { method, error: result.error });
        sendJson(res, 200, result);
      }),
    },
    {
      path: '/response/:id',
      method: 'POST',
      handler: guarded(async (req, res) => {
        let body: Record<string, unknown>;
        try {
          body = parseApiArgs(await readBody(req), req.headers['content-type'] ?? 'application/json');
        } catch {
          return sendJson(res, 400, { ok: false, error: 'invalid_json' });
        }
        const result = workspace.respond(req.params?.id ?? '', body);
        sendJson(res, result.ok ? 200 : 404, result);
      }),
    },
  ];

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

  // ---- alerts ----------------------------------------------------------------------------------
  // The production notifier (what handlers/alert runs on each ESM State Change), given the sandbox's
  // Slack client, the Slack app's store (so an alert's buttons work like a report's), the sandbox's
  // diagnosis and a router that knows one channel.
  // One alert store for the notifier and the pre-alert, so the failure alert finds the pre-alert's thread.
  const alertRecords = new MemoryAlertStore();
  const alerts = createAlertNotifier({
    slack,
    store,
    alerts: alertRecords,
    diagnose,
    router: () => workspace.channel.id,
    buttonKey: config.buttonKey,
    logger,
    remediation: true,
    ...options.alerts,
  });
  const inFlight = new Set<Promise<unknown>>();
  const handleChange = (change: EsmStateChange) => {
    const esm = accounts.get(change.uuid);
    activity(
      change.health === 'recovered'
        ? `watcher: ${esm?.functionName ?? change.uuid} (ESM ${change.uuid}) recovered`
        : change.health === 'stalled'
          ? `watcher: ${esm?.functionName ?? change.uuid} (ESM ${change.uuid}) stalled: its lag keeps growing while Lambda says OK — an alert is on its way to #${workspace.channel.name}`
          : `watcher: ${esm?.functionName ?? change.uuid} (ESM ${change.uuid}) started failing — an alert is on its way to #${workspace.channel.name}`,
    );
    const run = alerts.handle(change).finally(() => inFlight.delete(run));
    inFlight.add(run);
    return run;
  };
  const watcherTimings = options.watcher === undefined ? DEFAULT_TIMINGS : options.watcher;
  const preAlerter = createPreAlerter({ slack, store, alerts: alertRecords, router: () => workspace.channel.id, buttonKey: config.buttonKey });
  const handleScriptedChange = () => {
    if (!accounts.watchedUuid) return Promise.resolve();
    const scripted = scriptedImpact(accounts.applyWatchedChange(), accounts.watchedUuid, new Date());
    if (!scripted) return Promise.resolve();
    const e = scripted.result.event;
    activity(`CloudTrail: ${e.name} on ${e.resources.join(', ')} by ${e.principal} — esm-doctor checks which ESMs it breaks before Lambda notices`);
    const run = preAlerter.run(scripted.result, String(scripted.event.id)).finally(() => inFlight.delete(run));
    inFlight.add(run);
    return run;
  };
  const watcher = watcherTimings ? startWatcher(accounts, watcherTimings, handleChange, handleScriptedChange) : undefined;

  const idle = async () => {
    for (;;) {
      await runner.idle();
      await remediation.idle();
      if (!inFlight.size) return;
      await Promise.allSettled([...inFlight]);
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      watcher?.stop();
      clearInterval(heartbeat);
      // Let a diagnosis under way finish posting (a few seconds at most), then close everything.
      await Promise.race([idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
      workspace.off('change', onChange);
      for (const res of streams) res.end();
      streams.clear();
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
    command,
    click,
    idle,
    stop,
  };
}
