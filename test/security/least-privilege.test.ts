import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cardsIn, cast, fileRequest, openApp, personalChatId } from '../escalation-bot/helpers.js';
import { cardOf, cardText, type Harness, startHarness } from '../harness.js';

/**
 * The bot asks for the least Graph permissions each feature needs. When an administrator withholds
 * one, the feature it serves stops with that reason, and nothing fails open: no pass is created
 * for someone the bot could not fully check, and nobody is treated as an agent it could not confirm.
 */
describe('escalation when a Graph permission is withheld', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());
  afterEach(() => harness.graph.grantAllPermissions());

  it('without UserAuthMethod-TAP.ReadWrite.All the approved request fails, says nothing was created, and the agent is told', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    harness.graph.denyPermission('UserAuthMethod-TAP.ReadWrite.All');
    harness.graph.denyPermission('UserAuthenticationMethod.ReadWrite.All');
    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId });
    expect(approved.text).toContain('Failed');
    expect(approved.text).toContain('The pass could not be created: needs UserAuthMethod-TAP.ReadWrite.All');
    expect(approved.text).toContain('No pass was created.');
    expect(harness.graph.issuedTaps()).toEqual([]);
    expect((await harness.bot.escalations.current(harness.tenantId, requestId!))?.state).toBe('failed');
    const news = cardsIn(harness, personalChatId(cast.helen)).filter(
      (card) => card?.refresh?.action?.data?.requestId === requestId,
    );
    expect(cardText(news.at(-1))).toContain('The pass could not be created');
  });

  it('without RoleManagement.Read.Directory no pass can be requested, since an administrator cannot be ruled out', async () => {
    harness.graph.denyPermission('RoleManagement.Read.Directory');
    const form = await act(harness, cast.helen, 'escalate.start', { userId: cast.miriam.aadObjectId });
    expect(form.text).toContain(
      'I could not read whether Miriam Graham holds a directory role (needs RoleManagement.Read.Directory), so no pass can be requested.',
    );
    const { text } = await fileRequest(harness, cast.helen, cast.miriam);
    expect(text).toContain('needs RoleManagement.Read.Directory');
    expect(await harness.bot.escalations.recent(harness.tenantId)).toHaveLength(1);
  });
});

describe('escalation in a tenant that never granted Policy.Read.AuthenticationMethod', () => {
  let harness: Harness;
  beforeAll(async () => {
    // Tenant-wide policies are cached once read, so the permission is withheld before the first turn.
    harness = await startHarness();
    harness.graph.denyPermission('Policy.Read.AuthenticationMethod');
    await openApp(harness, cast.helen);
  });
  afterAll(() => harness.close());

  it('no pass can be requested, since the TAP policy that decides whether it would work cannot be read', async () => {
    const form = await act(harness, cast.helen, 'escalate.start', { userId: cast.miriam.aadObjectId });
    expect(form.text).toContain('needs Policy.Read.AuthenticationMethod');
    expect(form.text).toContain('no pass can be requested');
    const { text } = await fileRequest(harness, cast.helen, cast.miriam);
    expect(text).toContain('no pass can be requested');
    expect(await harness.bot.escalations.recent(harness.tenantId)).toEqual([]);
  });
});

describe('who is an agent when group membership cannot be read', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    harness.graph.denyPermission('GroupMember.Read.All');
  });
  afterAll(() => harness.close());

  it('without GroupMember.Read.All the agent is not taken for one: told a permission is missing, and nothing is filed', async () => {
    const said = cardText(cardOf((await harness.say(cast.helen, 'escalate adele.vance@contoso.com')).replies[0]));
    expect(said).toContain('The bot is missing a Microsoft Graph permission for this. Nothing was changed');
    const forged = await act(harness, cast.helen, 'escalate.submit', {
      userId: cast.adele.aadObjectId,
      reason: 'Lost phone',
      verification: 'in-person',
    });
    expect(forged.text).toContain('missing a Microsoft Graph permission');
    expect(await harness.bot.escalations.recent(harness.tenantId)).toEqual([]);
    expect(harness.graph.issuedTaps()).toEqual([]);
  });
});
