/**
 * The sandbox's alerts: the watcher's state changes go through the production notifier (what
 * handlers/alert runs on each ESM State Change), and its scripted CloudTrail change through the
 * production pre-alerter, both into the sandbox's one channel. Given the sandbox's Slack client,
 * the Slack app's store (so an alert's buttons work like a report's) and the sandbox's diagnosis.
 */
import { createAlertNotifier, type AlertNotifierDeps } from '../alerts/notifier';
import { MemoryAlertStore } from '../alerts/alert-store';
import { createPreAlerter } from '../impact/prealert';
import type { EsmStateChange } from '../model/events';
import type { Diagnose } from '../slack/engine';
import type { SlackLogger } from '../slack/log';
import type { SlackStore } from '../slack/store';
import type { SandboxAccounts } from './accounts';
import { scriptedImpact } from './change';
import { startWatcher, type SandboxWatcher, type WatcherTimings } from './watcher';
import type { SandboxWorkspace } from './workspace';

export interface SandboxAlerts {
  watcher?: SandboxWatcher;
  /** The alerts and pre-alerts in progress now. */
  running(): Promise<unknown>[];
}

export interface SandboxAlertDeps {
  slack: AlertNotifierDeps['slack'];
  store: SlackStore;
  diagnose: Diagnose;
  buttonKey: Buffer;
  logger: SlackLogger;
  accounts: SandboxAccounts;
  workspace: SandboxWorkspace;
  /** false: no watcher, so no alerts at all. */
  timings: WatcherTimings | false;
  tuning?: Pick<AlertNotifierDeps, 'pacing' | 'storm'>;
  activity: (line: string) => void;
}

export function startSandboxAlerts(deps: SandboxAlertDeps): SandboxAlerts {
  const { accounts, workspace, activity } = deps;
  const router = () => workspace.channel.id;
  // One alert store for the notifier and the pre-alert, so the failure alert finds the pre-alert's thread.
  const alertRecords = new MemoryAlertStore();
  const notifier = createAlertNotifier({
    slack: deps.slack,
    store: deps.store,
    alerts: alertRecords,
    diagnose: deps.diagnose,
    router,
    buttonKey: deps.buttonKey,
    logger: deps.logger,
    remediation: true,
    ...deps.tuning,
  });
  const preAlerter = createPreAlerter({ slack: deps.slack, store: deps.store, alerts: alertRecords, router, buttonKey: deps.buttonKey });
  const inFlight = new Set<Promise<unknown>>();
  const track = (run: Promise<unknown>) => {
    const tracked = run.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    return tracked;
  };

  const handleChange = (change: EsmStateChange) => {
    const esm = accounts.get(change.uuid);
    const who = `${esm?.functionName ?? change.uuid} (ESM ${change.uuid})`;
    activity(
      change.health === 'recovered'
        ? `watcher: ${who} recovered`
        : change.health === 'stalled'
          ? `watcher: ${who} stalled: its lag keeps growing while Lambda says OK — an alert is on its way to #${workspace.channel.name}`
          : `watcher: ${who} started failing — an alert is on its way to #${workspace.channel.name}`,
    );
    return track(notifier.handle(change));
  };
  const handleScriptedChange = () => {
    if (!accounts.watchedUuid) return Promise.resolve();
    const scripted = scriptedImpact(accounts.applyWatchedChange(), accounts.watchedUuid, new Date());
    if (!scripted) return Promise.resolve();
    const e = scripted.result.event;
    activity(`CloudTrail: ${e.name} on ${e.resources.join(', ')} by ${e.principal} — esm-doctor checks which ESMs it breaks before Lambda notices`);
    return track(preAlerter.run(scripted.result, String(scripted.event.id)));
  };
  const watcher = deps.timings ? startWatcher(accounts, deps.timings, handleChange, handleScriptedChange) : undefined;

  return {
    ...(watcher ? { watcher } : {}),
    running: () => [...inFlight],
  };
}
