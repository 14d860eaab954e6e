import { AccessControl } from '../../bot/slack/access';

function client(groups: Record<string, string[]>) {
  const list = jest.fn(async ({ usergroup }: { usergroup: string }) => ({ ok: true, users: groups[usergroup] ?? [] }));
  return { list, client: { usergroups: { users: { list } } } as never };
}

describe('AccessControl', () => {
  it('lets anyone in anywhere when nothing is configured', async () => {
    const access = new AccessControl({ allowedChannels: [], allowedUsers: [], allowedUserGroups: [] }, client({}).client);
    expect(await access.check('U0ANY', 'C0ANY')).toEqual({ allowed: true });
  });

  it('refuses a channel outside the list, politely', async () => {
    const access = new AccessControl({ allowedChannels: ['C0INCIDENT'], allowedUsers: [], allowedUserGroups: [] }, client({}).client);
    const decision = await access.check('U0ALICE', 'C0RANDOM');
    expect(decision).toEqual({ allowed: false, reason: 'channel', message: expect.stringMatching(/^Sorry, .*<#C0INCIDENT>/) });
  });

  it('admits listed users and members of listed user groups, looking groups up once', async () => {
    const { list, client: c } = client({ S0ONCALL: ['U0BOB'] });
    let now = 0;
    const access = new AccessControl({ allowedChannels: [], allowedUsers: ['U0ALICE'], allowedUserGroups: ['S0ONCALL'] }, c, { now: () => now });
    expect(await access.check('U0ALICE', 'C0X')).toEqual({ allowed: true });
    expect(await access.check('U0BOB', 'C0X')).toEqual({ allowed: true });
    expect(await access.check('U0MALLORY', 'C0X')).toMatchObject({ allowed: false, reason: 'user' });
    expect(await access.check('U0BOB', 'C0X')).toEqual({ allowed: true });
    expect(list).toHaveBeenCalledTimes(1);
    now += 6 * 60_000;
    await access.check('U0BOB', 'C0X');
    expect(list).toHaveBeenCalledTimes(2);
  });

  it('refuses, and does not cache, when the user group lookup fails', async () => {
    const list = jest.fn().mockRejectedValueOnce(new Error('missing_scope')).mockResolvedValue({ ok: true, users: ['U0BOB'] });
    const access = new AccessControl({ allowedChannels: [], allowedUsers: [], allowedUserGroups: ['S0ONCALL'] }, { usergroups: { users: { list } } } as never);
    expect(await access.check('U0BOB', 'C0X')).toMatchObject({ allowed: false, reason: 'lookup-failed' });
    expect(await access.check('U0BOB', 'C0X')).toEqual({ allowed: true });
  });
});
