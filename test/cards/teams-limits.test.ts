import { CardFactory } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import type { RequirementId } from '../../src/eligibility/rules.js';
import { CardTemplates } from '../../src/teams/cards.js';
import { forReader } from '../../src/teams/locale.js';
import { everyRenderedCard } from './samples.js';

/**
 * Teams' limits for a bot's card: schema 1.5 for Universal Actions
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards),
 * at most 60 users in refresh.userIds
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views),
 * and the whole message under 80 KB.
 */
const MAX_MESSAGE_BYTES = 80 * 1024;
const MAX_REFRESH_USERS = 60;

const messageBytes = (card: object) =>
  Buffer.byteLength(JSON.stringify({ type: 'message', attachments: [CardFactory.adaptiveCard(card)] }), 'utf8');

describe("every card within Teams' limits", () => {
  const cards = everyRenderedCard();

  it.each(cards.map((c) => [`${c.name} (${c.language}, sample ${c.variant + 1})`, c] as const))(
    '%s',
    (_label, { card }) => {
      expect(card.version).toBe('1.5');
      expect(messageBytes(card)).toBeLessThan(MAX_MESSAGE_BYTES);
      if (card.refresh) expect((card.refresh.userIds as string[]).length).toBeLessThanOrEqual(MAX_REFRESH_USERS);
    },
  );

  it('the largest checklist there can be, in Japanese, still fits', () => {
    // Ten requirements, each with evidence and fix at the lengths the view clips them to (1000 and 500 characters).
    const requirement = (i: number) => ({
      id: `E${i}` as RequirementId,
      title: 'T'.repeat(120),
      icon: '❌',
      statusLabel: '不合格',
      color: 'Attention',
      evidence: '証'.repeat(1000),
      fix: '対'.repeat(500),
    });
    const card = forReader({ language: 'ja', locale: 'ja-JP', timeZone: 'Asia/Tokyo' }, () =>
      new CardTemplates().render('eligibility-agent', {
        verdict: { icon: '❌', label: 'x'.repeat(500), style: 'attention' },
        nextStep: '次'.repeat(520),
        summary: '要'.repeat(1000),
        user: {
          id: 'id',
          displayName: 'n'.repeat(500),
          userPrincipalName: 'u'.repeat(500),
          givenName: 'g'.repeat(500),
          surname: 's'.repeat(500),
        },
        hasProblems: true,
        problems: Array.from({ length: 10 }, (_, i) => requirement(i + 1)),
        hasPassing: false,
        passing: [],
        passingSummary: '',
        checkCount: 10,
        scopeSource: '範'.repeat(600),
        checkedAt: '2026年12月1日 23:30 JST',
        hasClaimValidation: true,
        claimValidation: {
          heading: '検'.repeat(100),
          style: 'attention',
          outcome: '失'.repeat(400),
          advice: '助'.repeat(300),
          user: 'u'.repeat(500),
          correlation: 'c'.repeat(100),
        },
        canEscalate: false,
        passBlocked: '止'.repeat(200),
        canSelfRecover: false,
        guideWarning: '警'.repeat(300),
      }),
    );
    expect(messageBytes(card)).toBeLessThan(MAX_MESSAGE_BYTES);
  });
});
