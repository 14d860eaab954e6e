/**
 * The Slack stand-in the bot talks to: the Web API (`slackApiUrl` points at /api/) and the
 * response URLs handed out with each command and click.
 */
import type { SlackLogger } from '../../slack/log';
import { readBody, sendJson, type Route } from '../http';
import { parseApiArgs, type ApiResult, type SandboxWorkspace } from '../workspace';

export function slackApiRoutes(deps: { workspace: SandboxWorkspace; logger: SlackLogger }): Route[] {
  const { workspace, logger } = deps;
  return [
    {
      path: '/api/:method',
      method: 'POST',
      handle: async (req, res) => {
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
      },
    },
    {
      path: '/response/:id',
      method: 'POST',
      handle: async (req, res) => {
        let body: Record<string, unknown>;
        try {
          body = parseApiArgs(await readBody(req), req.headers['content-type'] ?? 'application/json');
        } catch {
          return sendJson(res, 400, { ok: false, error: 'invalid_json' });
        }
        const result = workspace.respond(req.params?.id ?? '', body);
        sendJson(res, result.ok ? 200 : 404, result);
      },
    },
  ];
}
