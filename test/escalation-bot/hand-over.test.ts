import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardText, type Harness, startHarness } from '../harness.js';
import { act, cardsIn, cast, fileRequest, openApp, passesIn, personalChatId } from './helpers.js';

describe('after handing the pass over', () => {
  let harness: Harness;
  let requestId: string;
  let passCard: any;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan);
    ({ requestId } = (await fileRequest(harness, cast.helen, cast.adele)) as { requestId: string });
    await act(harness, cast.megan, 'escalation.approve', { requestId });
    passCard = cardsIn(harness, personalChatId(cast.helen)).find((card) => card?.actions?.[0]?.verb === 'pass.hide');
  });
  afterAll(() => harness.close());

  it('the agent removes the pass from their chat with one button', async () => {
    const [pass] = passesIn(harness, personalChatId(cast.helen));
    expect(pass).toBeTruthy();
    const action = passCard.actions[0];
    const hidden = await act(harness, cast.helen, action.verb, action.data);
    expect(hidden.text).toContain('Handed over. The pass was removed from this chat');
    expect(JSON.stringify(hidden.card)).not.toContain(pass!);
  });

  it('nobody else can use that button on the request', async () => {
    const action = passCard.actions[0];
    const other = await act(harness, cast.megan, action.verb, action.data);
    expect(cardText(other.card)).toContain('No such request');
  });
});
