import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps';
import { esmCommand } from './esm';

export function registerCommands(app: App, deps: ListenerDeps): void {
  app.command('/esm', esmCommand(deps));
}
