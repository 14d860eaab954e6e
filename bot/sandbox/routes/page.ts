/** The page itself: its HTML, script, style and pictures, and the state it starts from. */
import type { ServerResponse } from 'node:http';
import type { SandboxAccounts, SandboxEsm } from '../accounts';
import { emojiSvg } from '../emoji';
import { HttpError, send, sendJson, type Route } from '../http';
import { AVATARS, CONTENT_SECURITY_POLICY, PAGE_CSS, PAGE_HTML, PAGE_JS } from '../page';
import { SANDBOX_IDS, type SandboxWorkspace } from '../workspace';

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

const sendSvg = (res: ServerResponse, svg: string) => send(res, 200, svg, 'image/svg+xml', { 'cache-control': 'max-age=3600' });

export function pageRoutes(deps: { workspace: SandboxWorkspace; accounts: SandboxAccounts; region: string }): Route[] {
  const { workspace, accounts } = deps;
  return [
    {
      path: '/',
      method: 'GET',
      handle: async (_req, res) => send(res, 200, PAGE_HTML, 'text/html; charset=utf-8', { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-frame-options': 'DENY' }),
    },
    { path: '/sandbox/app.js', method: 'GET', handle: async (_req, res) => send(res, 200, PAGE_JS, 'text/javascript; charset=utf-8') },
    { path: '/sandbox/app.css', method: 'GET', handle: async (_req, res) => send(res, 200, PAGE_CSS, 'text/css; charset=utf-8') },
    {
      path: '/sandbox/emoji/:name',
      method: 'GET',
      handle: async (req, res) => {
        const svg = emojiSvg(req.params?.name ?? '');
        if (!svg) throw new HttpError(404, 'no such emoji');
        sendSvg(res, svg);
      },
    },
    {
      path: '/sandbox/avatar/:who',
      method: 'GET',
      handle: async (req, res) => {
        const who = req.params?.who ?? '';
        const svg = Object.prototype.hasOwnProperty.call(AVATARS, who) ? AVATARS[who] : undefined;
        if (!svg) throw new HttpError(404, 'no such avatar');
        sendSvg(res, svg);
      },
    },
    { path: '/favicon.ico', method: 'GET', handle: async (_req, res) => send(res, 204, '', 'text/plain') },
    {
      path: '/sandbox/state',
      method: 'GET',
      handle: async (_req, res) => {
        const user = workspace.people[SANDBOX_IDS.user]!;
        sendJson(res, 200, {
          workspace: 'esm-doctor sandbox',
          channel: workspace.channel,
          user: { id: user.id, name: user.name },
          teammate: { id: SANDBOX_IDS.teammate, name: workspace.people[SANDBOX_IDS.teammate]!.name },
          region: deps.region,
          commands: [{ name: '/esm', usage: 'diagnose <uuid|arn> [region] · help', description: 'esm-doctor: why a Kafka event source mapping fails' }],
          esms: accounts.list().map(esmSummary),
        });
      },
    },
  ];
}
