import { readdirSync, readFileSync } from 'node:fs';
import { CALLER_WORDS } from '../../src/app/verify-caller.js';
import { closedWords } from '../../src/caller-verification/caller-page.js';
import { GRAPH_TROUBLE_MESSAGES } from '../../src/directory/graph-trouble.js';
import { PASS_BLOCKER_TEXT } from '../../src/eligibility/pass-gate.js';
import { REQUIREMENTS } from '../../src/eligibility/requirements.js';
import { colleagueView, type Eligibility } from '../../src/eligibility/rules.js';
import { QUERY_PROBLEMS } from '../../src/eligibility/user-query.js';
import type { EscalationRecord } from '../../src/escalation/state-machine.js';
import { CARD_TEMPLATE_DIR, templateTexts } from '../../src/teams/cards.js';

const TEAMS_DIR = new URL('../../src/teams/', import.meta.url);
/** Files outside src/teams/ that speak through t() too: the caller's verification page. */
const OTHER_SPEAKERS = [new URL('../../src/verification/page.ts', import.meta.url)];

/** Each template's texts, by template name. */
export function templateMessages(): Map<string, string[]> {
  const byTemplate = new Map<string, string[]>();
  for (const file of readdirSync(CARD_TEMPLATE_DIR).filter((f) => f.endsWith('.json'))) {
    byTemplate.set(
      file.replace(/\.json$/, ''),
      templateTexts(JSON.parse(readFileSync(new URL(file, `file://${CARD_TEMPLATE_DIR}`), 'utf8'))),
    );
  }
  return byTemplate;
}

/** The literal message ids passed to t('...') in src/teams/ and the verification page. */
export function codeMessages(): string[] {
  const ids: string[] = [];
  const files = [
    ...readdirSync(TEAMS_DIR)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => new URL(f, TEAMS_DIR)),
    ...OTHER_SPEAKERS,
  ];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\bt\(\s*(?:'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)")/g)) {
      ids.push((match[1] ?? match[2]!).replace(/\\(['"\\])/g, '$1'));
    }
  }
  return ids;
}

/** The templates of sentences the core says (src/escalation/sentence.ts `say('...')`), anywhere in src/. */
export function sentenceMessages(): string[] {
  const ids: string[] = [];
  const src = new URL('../../src/', import.meta.url);
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(new URL(file, src), 'utf8');
    for (const match of source.matchAll(/\bsay\(\s*(?:'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)")/g))
      ids.push((match[1] ?? match[2]!).replace(/\\(['"\\])/g, '$1'));
  }
  return ids;
}

/** Sentences the pure core produces as fixed text and the Teams layer translates by their id. */
export function coreMessages(): string[] {
  const outcome = (canSelfRecover: boolean) => colleagueView({ canSelfRecover } as Eligibility).message;
  // The requirements' short names, shown on the readiness summary.
  return [
    outcome(true),
    outcome(false),
    ...Object.values(REQUIREMENTS).map((requirement) => requirement.shortName),
    // Why Escalate is not offered, on the checklist and the readiness list.
    ...Object.values(PASS_BLOCKER_TEXT),
    // A failed Graph request on an error card (directory/graph-trouble.ts).
    ...Object.values(GRAPH_TROUBLE_MESSAGES),
    // The caller's verification page: the use case's words and why a request closed.
    ...Object.values(CALLER_WORDS),
    ...(['denied', 'expired', 'cancelled', 'failed'] as const).map((state) =>
      closedWords({ state } as EscalationRecord),
    ),
    // Why what someone typed names nobody (eligibility/user-query.ts).
    ...Object.values(QUERY_PROBLEMS),
  ];
}

/** Every message id a catalogue must have. */
export function allMessageIds(): string[] {
  return [
    ...new Set([
      ...[...templateMessages().values()].flat(),
      ...codeMessages(),
      ...coreMessages(),
      ...sentenceMessages(),
    ]),
  ].sort();
}
