/** What the person does on the page: a command, a click, a plain message, dismissing an ephemeral note. */
import { escapeMrkdwn } from '../../slack/limits';
import { readJson, sendJson, str, type Route } from '../http';
import type { SandboxPerson } from '../person';
import { SANDBOX_IDS, type SandboxWorkspace } from '../workspace';

export function personRoutes(deps: { workspace: SandboxWorkspace; person: SandboxPerson }): Route[] {
  const { workspace, person } = deps;
  return [
    {
      path: '/sandbox/command',
      method: 'POST',
      fromPage: true,
      handle: async (req, res) => {
        const body = await readJson(req);
        const name = str(body.command, 100) || '/esm';
        sendJson(res, 200, await person.command(str(body.text), name));
      },
    },
    {
      path: '/sandbox/action',
      method: 'POST',
      fromPage: true,
      handle: async (req, res) => {
        const body = await readJson(req);
        const blockId = str(body.blockId, 255);
        sendJson(res, 200, await person.click(str(body.ts, 40), str(body.actionId, 255), blockId || undefined, body.as === 'teammate' ? 'teammate' : 'you'));
      },
    },
    {
      path: '/sandbox/message',
      method: 'POST',
      fromPage: true,
      handle: async (req, res) => {
        const text = str((await readJson(req)).text).trim();
        // The Slack client escapes what a person types before it sends it.
        if (text) workspace.post({ user: workspace.people[SANDBOX_IDS.user]!.id, text: escapeMrkdwn(text) });
        sendJson(res, 200, { ok: true });
      },
    },
    {
      path: '/sandbox/dismiss',
      method: 'POST',
      fromPage: true,
      handle: async (req, res) => {
        const ts = str((await readJson(req)).ts, 40);
        const m = workspace.find(ts);
        if (m?.ephemeralFor) workspace.delete(ts);
        sendJson(res, 200, { ok: Boolean(m?.ephemeralFor) });
      },
    },
  ];
}
