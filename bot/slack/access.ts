/**
 * Who may use /esm and its buttons. Empty lists mean "anyone": a channel list limits where, a user
 * list and a user group list together limit who (being in either is enough). User group members
 * come from `usergroups.users.list` (scope usergroups:read), cached for a few minutes so a busy
 * incident channel does not spend Slack's rate limit (Tier 2) on lookups.
 */
import type { WebClient } from '@slack/web-api';

export interface AccessPolicy {
  allowedChannels: string[];
  allowedUsers: string[];
  allowedUserGroups: string[];
}

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; reason: 'channel' | 'user' | 'lookup-failed'; message: string };

export type UserGroupClient = Pick<WebClient, 'usergroups'>;

export class AccessControl {
  private readonly cache = new Map<string, { members: Promise<Set<string>>; expires: number }>();

  constructor(
    private readonly policy: AccessPolicy,
    private readonly client: UserGroupClient,
    private readonly options: { cacheMs?: number; now?: () => number } = {},
  ) {}

  private members(group: string): Promise<Set<string>> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(group);
    if (hit && hit.expires > now) return hit.members;
    const members = this.client.usergroups.users
      .list({ usergroup: group })
      .then((res) => new Set(res.users ?? []));
    this.cache.set(group, { members, expires: now + (this.options.cacheMs ?? 5 * 60_000) });
    members.catch(() => this.cache.delete(group));
    return members;
  }

  async check(user: string, channel: string | undefined): Promise<AccessDecision> {
    const { allowedChannels, allowedUsers, allowedUserGroups } = this.policy;
    if (allowedChannels.length && (!channel || !allowedChannels.includes(channel))) {
      return {
        allowed: false,
        reason: 'channel',
        message: `Sorry, esm-doctor does not work in this channel. Try it in ${allowedChannels.map((c) => `<#${c}>`).join(', ')}, or ask whoever runs esm-doctor to add this channel.`,
      };
    }
    if (!allowedUsers.length && !allowedUserGroups.length) return { allowed: true };
    if (allowedUsers.includes(user)) return { allowed: true };
    try {
      for (const group of allowedUserGroups) {
        if ((await this.members(group)).has(user)) return { allowed: true };
      }
    } catch {
      return {
        allowed: false,
        reason: 'lookup-failed',
        message: 'Sorry, I could not check whether you may use esm-doctor (the user group lookup failed). Please try again in a minute.',
      };
    }
    const groups = allowedUserGroups.length ? ` (members of ${allowedUserGroups.map((g) => `<!subteam^${g}>`).join(', ')})` : '';
    return {
      allowed: false,
      reason: 'user',
      message: `Sorry, esm-doctor is limited to its on-call users${groups}. Ask whoever runs esm-doctor to add you.`,
    };
  }
}
