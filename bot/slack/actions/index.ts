import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION_IDS } from '../blocks';
import type { ListenerDeps } from '../deps';
import { ackAction } from './ack';
import { registerFixActions } from './fix';
import { recheckAction } from './recheck';

export function registerActions(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.recheck, recheckAction(deps));
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.probe, recheckAction(deps, { probe: true }));
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.ack, ackAction(deps));
  registerFixActions(app, deps);
  // Link buttons open the console in the browser; Slack still sends the click and wants an ack.
  app.action(/^esm_open_/, async ({ ack }) => {
    await ack();
  });
}
