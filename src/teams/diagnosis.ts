import type { Application } from '@microsoft/teams-ai';
import type { AttemptReader } from '../app/check.js';
import {
  type DiagnosisDirectory,
  type DiagnosisResult,
  diagnosePaste,
  runDiagnosis,
  startDiagnosis,
} from '../app/diagnose.js';
import type { Catalogue } from '../diagnosis/catalogue.js';
import type { Finding } from '../diagnosis/matcher.js';
import type { RecoveryAttempt } from '../diagnosis/recovery-attempt.js';
import type { RequirementResult } from '../eligibility/rules.js';
import type { DirectoryUser } from '../eligibility/user-query.js';
import type { Asker } from './asker.js';
import { type AdaptiveCard, type CardTemplates, cardTime, plain } from './cards.js';
import { claimValidationView, NO_CLAIM_VALIDATION } from './claim-validation-views.js';
import { t } from './locale.js';
import type { Turns } from './turn.js';

export interface DiagnosisDependencies {
  directory: DiagnosisDirectory;
  catalogue: Catalogue;
  attempts?: AttemptReader;
}

/** A pasted error: an AADSTS code anywhere (also OCR'd as "AADSTS 55200"), or an explicit "diagnose". */
export const PASTED_ERROR = /aadsts\s?\d{4,7}|correlation id|^\s*diagnos/i;

export function registerDiagnosisRoutes(app: Application, turns: Turns, deps: DiagnosisDependencies): void {
  const { cards } = turns;

  app.message(
    PASTED_ERROR,
    turns.onMessage('diagnose', async (context, asker) => {
      const withoutCommand = (context.activity.text ?? '').replace(/^\s*diagnos\w*\s*/i, '');
      if (!withoutCommand.trim()) return startCard(cards, deps.catalogue);
      return diagnosisCard(cards, asker, diagnosePaste(deps.catalogue, withoutCommand));
    }),
  );

  turns.onVerb(app, 'diagnose.start', async (_context, _asker, { userId }) =>
    startCard(cards, deps.catalogue, (await startDiagnosis(deps.directory, userId)).user),
  );

  turns.onVerb(app, 'diagnose.run', async (_context, asker, input) =>
    diagnosisCard(cards, asker, await runDiagnosis(deps, asker, input)),
  );
}

function startCard(cards: CardTemplates, catalogue: Catalogue, user?: DirectoryUser): AdaptiveCard {
  return cards.render('diagnosis-start', {
    forWhom: user
      ? t('About ${name}.', { name: plain(user.displayName ?? user.userPrincipalName) })
      : t('Pick a symptom or paste the error, and say who it is about if you know.'),
    symptoms: catalogue.entries.flatMap((e) => (e.kind === 'symptom' ? [{ id: e.id, label: e.label }] : [])),
    askForUser: !user,
    userId: user?.id ?? '',
  });
}

const FINDING_LOOK: Record<'found' | 'ruledOut' | 'open', { icon: string; weight: string }> = {
  found: { icon: '🔎', weight: 'Bolder' },
  ruledOut: { icon: '▫️', weight: 'Default' },
  open: { icon: '•', weight: 'Default' },
};

/**
 * Agents with a known user see which cause the live checks actually found and the last recovery
 * attempt; everyone else sees the catalogue's causes in order, which hold no directory details.
 */
function diagnosisCard(
  cards: CardTemplates,
  asker: Asker,
  { diagnosis, evidence, user }: DiagnosisResult,
): AdaptiveCard {
  const live = evidence?.live && new Map(evidence.live.map((r) => [r.id, r]));
  const name = user ? plain(user.displayName ?? user.userPrincipalName) : undefined;
  const { details } = diagnosis;
  return cards.render('diagnosis', {
    heading: name ? t('Diagnosis for ${name}', { name }) : t('Diagnosis'),
    subheading: evidence
      ? t("I ran the matching checks on ${name}'s account.", { name: name ?? '' })
      : user && !asker.isHelpdeskAgent
        ? t('The helpdesk can check which of these applies to them.')
        : '',
    entries: diagnosis.matched.map(({ entry, causes }) => ({
      title: plain(entry.kind === 'code' ? `${entry.code}: ${entry.title}` : entry.title),
      meaning: plain(entry.meaning),
      nextStep: plain(entry.nextStep),
      causes: causes.map(({ cause, found }) => {
        const look = FINDING_LOOK[found === true ? 'found' : found === false && live ? 'ruledOut' : 'open'];
        return {
          ...look,
          text: plain(cause.text),
          fix: plain(cause.fix),
          whoCanFix: cause.whoCanFix,
          finding: live ? findingText(found, cause.checks, live) : '',
        };
      }),
    })),
    unknownCodes: diagnosis.unknownCodes,
    unknownCodesText: diagnosis.unknownCodes.join(', '),
    nothingMatched: diagnosis.matched.length === 0 && diagnosis.unknownCodes.length === 0,
    hasClaimValidation: Boolean(evidence?.claimValidation),
    claimValidation: evidence?.claimValidation ? claimValidationView(evidence.claimValidation) : NO_CLAIM_VALIDATION,
    hasAttempt: Boolean(evidence?.attempt),
    attempt: evidence?.attempt ? attemptView(evidence.attempt) : { heading: '', steps: [], stopped: '' },
    evidenceNote: evidence?.auditUnreadable
      ? t('Recovery attempts could not be read from the audit log: ${reason}.', {
          reason: plain(evidence.auditUnreadable),
        })
      : '',
    hasDetails: Boolean(details.correlationId || details.timestamp),
    details: { correlationId: details.correlationId ?? t('(none)'), timestamp: details.timestamp ?? t('(none)') },
    userId: user?.id ?? '',
  });
}

function findingText(found: Finding, checks: string[], live: Map<string, RequirementResult>): string {
  const evidence = checks.map((id) => live.get(id)).find((r) => r && r.status !== 'pass');
  if (found === true)
    return t('Found on this account: ${evidence}', {
      evidence: plain(evidence?.evidence ?? t('the live check failed')),
    });
  if (found === false) return t('Ruled out: the live check passed.');
  return checks.length > 0 ? t('Not confirmed by the live checks.') : t('Cannot be checked from the directory.');
}

function attemptView(attempt: RecoveryAttempt) {
  const outcome = {
    completed: t('It completed: the user recovered their account.'),
    failed: attempt.stoppedAt.reason
      ? t('It stopped at: ${step} (${reason}).', {
          step: plain(attempt.stoppedAt.activity),
          reason: plain(attempt.stoppedAt.reason),
        })
      : t('It stopped at: ${step}.', { step: plain(attempt.stoppedAt.activity) }),
    incomplete: t('It went no further than: ${step}.', { step: plain(attempt.stoppedAt.activity) }),
  }[attempt.outcome];
  return {
    heading: t('Last recovery attempt, started ${at}', { at: cardTime(attempt.startedAt) }),
    steps: attempt.steps.map((s) => ({
      at: cardTime(s.at),
      text: `${s.failed ? `❌ ${t('failed')}` : `✅ ${t('done')}`}: ${plain(s.activity)}`,
    })),
    stopped: outcome,
  };
}
