/**
 * The alert data both halves of the alert path read: the alert store (bot/alerts) keeps it, the
 * alert messages (bot/slack/alert-messages) show it. Here so that neither imports the other.
 */

export interface HistoryEntry {
  /** ISO 8601. */
  at: string;
  /** One line of mrkdwn. */
  text: string;
}

export interface StormMember {
  uuid: string;
  /** When it joined (ISO 8601). */
  at: string;
  open: boolean;
  /** Function name or ESM id, for the parent message. */
  label: string;
  closedAt?: string;
}
