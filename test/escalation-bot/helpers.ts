import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cardText, type Harness, people, startHarness, type TeamsUser } from '../harness.js';

/** The demo cast as Teams users (object ids from src/emulator/tenants/contoso.json). */
const user = (n: number, name: string): TeamsUser => ({
  aadObjectId: `11111111-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
  name,
});
export const cast = {
  helen: people.agent,
  henrik: user(18, 'Henrik Sørensen'),
  megan: people.manager,
  lee: people.approver,
  patti: user(16, 'Patti Fernandez'),
  alex: people.colleague,
  adele: user(1, 'Adele Vance'),
  miriam: user(3, 'Miriam Graham'),
  isaiah: user(7, 'Isaiah Langer'),
  diego: user(9, 'Diego Siciliani'),
  ravi: user(10, 'Ravi Patel (Fabrikam)'),
  nestor: user(11, 'Nestor Wilke'),
};

/** Each person opens the app once in a 1:1 chat, as Teams does on install. */
export async function openApp(harness: Harness, ...users: TeamsUser[]): Promise<void> {
  for (const person of users) await harness.say(person, 'hi');
}

export const personalChatId = (person: TeamsUser) => `a:personal-${person.aadObjectId}`;

/** The agent opens the form for the target and sends it; returns the card they got back. */
export async function fileRequest(
  harness: Harness,
  requester: TeamsUser,
  target: TeamsUser,
  fields: Record<string, string> = {},
): Promise<{ card: any; requestId: string | undefined; text: string }> {
  await harness.invoke(requester, 'escalate.start', { userId: target.aadObjectId });
  const turn = await harness.invoke(requester, 'escalate.submit', {
    userId: target.aadObjectId,
    reason: 'Lost their phone and cannot sign in',
    verification: 'video-call-with-id',
    ...fields,
  });
  const card = turn.body?.value;
  return { card, requestId: card?.refresh?.action?.data?.requestId, text: cardText(card) };
}

export async function act(harness: Harness, person: TeamsUser, verb: string, data: Record<string, unknown>) {
  const turn = await harness.invoke(person, verb, data);
  return { card: turn.body?.value, text: cardText(turn.body?.value), status: turn.status, body: turn.body };
}

/** What a Teams client in this language and zone sends with each activity: its locale and a clientInfo entity. */
export const clientInfo = (locale: string, timezone: string) => ({
  locale,
  entities: [{ type: 'clientInfo', locale, timezone }],
});

/** A card button pressed in a client with this locale and zone, as Teams sends the invoke; the card or line it got back, as text. */
export async function pressIn(
  harness: Harness,
  person: TeamsUser,
  verb: string,
  data: Record<string, unknown>,
  client: object,
): Promise<string> {
  const activity = harness.activity(person, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: randomUUID(),
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    ...client,
  });
  return cardText((await harness.post(activity)).body);
}

/** The bot allowing two-approver passes for directory roles, with the agents and approvers of these tests in the app. */
export async function startWithApprovers(now?: () => Date): Promise<Harness> {
  const harness = await startHarness({
    ...(now ? { now } : {}),
    env: { ALLOW_PRIVILEGED_WITH_TWO_APPROVERS: 'true' },
  });
  await openApp(harness, cast.helen, cast.henrik, cast.megan, cast.lee, cast.patti);
  return harness;
}

/**
 * Patti approves Helen's request for Nestor (who holds a role, so it waits for a second approver),
 * then presses Approve again from `client`: that answer, as text. The request is cancelled after.
 */
export async function approveTwice(harness: Harness, client: object): Promise<string> {
  const { requestId } = await fileRequest(harness, cast.helen, cast.nestor);
  await pressIn(harness, cast.patti, 'escalation.approve', { requestId }, client);
  const twice = await pressIn(harness, cast.patti, 'escalation.approve', { requestId }, client);
  await act(harness, cast.helen, 'escalation.cancel', { requestId });
  return twice;
}

/** Henrik files (and cancels) three requests for Miriam within the hour, then a fourth from `client`: its refusal, as text. */
export async function fileOverTheLimit(harness: Harness, client: object, reason: string): Promise<string> {
  for (let i = 0; i < 3; i++) {
    const { requestId } = await fileRequest(harness, cast.henrik, cast.miriam);
    await act(harness, cast.henrik, 'escalation.cancel', { requestId });
  }
  return pressIn(
    harness,
    cast.henrik,
    'escalate.submit',
    { userId: cast.miriam.aadObjectId, reason, verification: 'video-call-with-id' },
    client,
  );
}

/** Cards that arrived in a person's 1:1 chat as new messages (not replacements), as text. */
export const newsFor = (harness: Harness, person: TeamsUser): string[] =>
  harness.connector.activities
    .filter((a) => a.conversationId === personalChatId(person) && a.kind === 'send')
    .flatMap((a) => (a.activity.attachments ?? []).map((attachment: any) => cardText(attachment.content)));

/** The demo bot mailing outcome notices from Helen's mailbox, allowed as Exchange's RBAC for Applications allows it. */
export async function startWithNoticeMail(): Promise<Harness> {
  const harness = await startHarness({ env: { NOTIFY_MAIL_FROM: 'helen.desk@contoso.com' } });
  harness.graph.denyPermission('Mail.Send');
  harness.graph.assignMailSendRole([cast.helen.aadObjectId]);
  return harness;
}

/** Adaptive Cards the bot sent to one conversation, oldest first. */
export function cardsIn(harness: Harness, conversationId: string): any[] {
  return harness.connector.activities
    .filter((a) => a.conversationId === conversationId)
    .flatMap((a) => (a.activity.attachments ?? []).map((attachment: any) => attachment.content));
}

/** The approval card a person received for a request. */
export function approvalCard(harness: Harness, person: TeamsUser, requestId: string): any {
  return cardsIn(harness, personalChatId(person)).find((card) => card?.refresh?.action?.data?.requestId === requestId);
}

/** Pass cards in a conversation, and the passes on them (read from the card, as the agent would). */
export function passesIn(harness: Harness, conversationId: string): string[] {
  return cardsIn(harness, conversationId)
    .filter((card) => card?.body?.some?.((element: any) => element.type === 'RichTextBlock'))
    .map((card) => card.body.find((element: any) => element.type === 'RichTextBlock').inlines[0].text as string);
}

/** Every byte the bot stored, as text. */
export async function storedText(dataDir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else parts.push(await readFile(path, 'utf8'));
    }
  };
  await walk(dataDir);
  return parts.join('\n');
}

/** A person's live card for a request as it stands: the newest message sent or replaced in their chat that shows it. */
export function liveCard(harness: Harness, person: TeamsUser, requestId: string): any {
  return harness.connector.activities
    .filter((a) => a.conversationId === personalChatId(person))
    .map((a) => a.activity.attachments?.[0]?.content)
    .filter((card) => card?.refresh?.action?.data?.requestId === requestId)
    .at(-1);
}
