/** What every listener is given: built once by createApp, the same in Lambda, Socket Mode and tests. */
import type { WebClient } from '@slack/web-api';
import type { AccessControl } from './access';
import type { SlackConfig } from './config';
import type { Job } from './jobs';
import type { SlackLogger } from './log';
import type { RemediationJob } from './remediation';
import type { SlackStore } from './store';

export interface ListenerDeps {
  config: SlackConfig;
  store: SlackStore;
  /** Hands a job to whatever does the slow work: the worker Lambda, or this process. */
  dispatch: (job: Job) => Promise<void>;
  slack: WebClient;
  access: AccessControl;
  logger: SlackLogger;
  now: () => Date;
  /** Hands an approved fix to the remediation runner (the remediation Lambda, or this process); only when remediation is on. */
  remediate?: (job: RemediationJob) => Promise<void>;
}
