/** What a Slack report message is rendered from besides the Report: options, stamps, action ids. */
import type { FixPlan } from '../../model/fix-plan';
import type { Report } from '../../model/report';
import type { ReportDiff } from '../diff';

export type PollerMode = 'on-demand' | 'provisioned';

/** A Report, plus what the Slack message shows that the Report contract does not carry (yet). */
export type SlackReport = Report & { pollerMode?: PollerMode };

export const ACTION_IDS = {
  recheck: 'esm_recheck',
  probe: 'esm_probe',
  ack: 'esm_ack',
  openEsm: 'esm_open_esm',
  openFunction: 'esm_open_function',
  /** Fix it buttons are esm_fix_0, esm_fix_1, … (action ids must differ within a block). */
  fix: 'esm_fix_',
  fixApprove: 'esm_fix_approve',
  fixCancel: 'esm_fix_cancel',
} as const;

export interface Stamp {
  /** Slack user id. */
  by: string;
  /** ISO 8601. */
  at: string;
}

export interface RerunNote extends Stamp {
  /** Absent when there was no earlier run of this message to compare with. */
  diff?: ReportDiff;
  /** The re-run included the live probe. */
  probe?: boolean;
}

export interface RenderOptions {
  /** The signed `{uuid, region, account}` both buttons carry (see button.ts). */
  buttonValue: string;
  acknowledged?: Stamp;
  rerun?: RerunNote;
  /** A re-run is under way, requested by this user (with the live probe when `probe`). */
  pending?: { by: string; probe?: boolean };
  /** Offer the Run live probe button (probing is configured). */
  probe?: boolean;
  /**
   * Context lines shown under the header whatever else changes (an alert's "failing since" and its
   * history). Stored with the message, so a re-run or an acknowledgement keeps them.
   */
  preface?: string[];
  /**
   * Signs a Fix it button for a finding's plan; given only when the deployment enables remediation
   * (bot/slack/fix-flow.ts). Without it no Fix it button is shown.
   */
  fixValue?: (plan: FixPlan) => string;
  /** A fix was applied to this ESM from this message (shown under the header). */
  fixed?: FixedNote;
}

export interface FixedNote {
  check: string;
  requestedBy: string;
  approvedBy: string;
  /** ISO 8601. */
  at: string;
  diff?: ReportDiff;
}
