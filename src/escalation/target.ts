import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { externalUserType } from '../eligibility/external-users.js';
import type { Fact, GroupMembership } from '../eligibility/facts.js';
import { tapScopeFor } from '../eligibility/tap-scope.js';
import type { TapPolicy } from './pass-settings.js';
import { headed, type Refusal, refusal } from './refusal.js';
import { type Sentence, say } from './sentence.js';
import { type EscalationPolicy, refusePrivileged } from './state-machine.js';

export type TargetUser = GraphTypes.User & { id: string };

/** What the directory says about the person a pass would be for, read when the decision takes effect. */
export interface TargetFacts {
  tapPolicy: Fact<TapPolicy>;
  membership: Fact<GroupMembership>;
  /** Every directory role they hold or could activate (see src/eligibility/roles.ts). */
  roleTemplateIds: Fact<string[]>;
}

export interface AssessedTarget {
  target: TargetUser & { displayName: string; userPrincipalName: string };
  /** They hold a directory role, so two approvers are needed. */
  privileged: boolean;
}

const NO_PASS_FOR_THIS_PERSON = say('No pass for this person');
const notEligible = (message: Sentence) => refusal('target-not-eligible', message, NO_PASS_FOR_THIS_PERSON);

/** Whether a pass may be requested for this user now, and whether they hold a directory role. Pure. */
export function assessTarget(
  user: TargetUser | undefined,
  facts: TargetFacts,
  policy: EscalationPolicy,
): AssessedTarget | Refusal {
  if (!user)
    return refusal(
      'no-such-user',
      say('That account does not exist in this tenant (any more).'),
      say('No such user in this tenant'),
    );
  const name = user.displayName ?? user.userPrincipalName ?? 'This person';
  if (user.accountEnabled === false) {
    return notEligible(
      say(
        '${name}’s account is disabled, so a pass could not be used. Re-enable the account through your usual process first.',
        { name },
      ),
    );
  }
  if (user.userType === 'Guest' || externalUserType(user) === 'b2bCollaborationMember') {
    return notEligible(
      say('${name} is a guest from another organisation. Their home organisation has to help them sign in again.', {
        name,
      }),
    );
  }
  if (!facts.tapPolicy.known)
    return notEligible(
      say('I could not read the tenant’s Temporary Access Pass policy (${reason}), so no pass can be requested.', {
        reason: facts.tapPolicy.reason,
      }),
    );
  const scope = tapScopeFor(facts.tapPolicy.value, user.id, facts.membership);
  switch (scope.kind) {
    case 'disabled':
      return notEligible(
        say('The Temporary Access Pass method is turned off in this tenant, so a pass could not be used.'),
      );
    case 'excluded':
    case 'notIncluded':
      return notEligible(
        scope.kind === 'excluded'
          ? say(
              '${name} is outside the tenant’s Temporary Access Pass policy (excluded through a group). Graph would create the pass, but it could not be used to sign in. Ask an administrator to add them to the policy first.',
              { name },
            )
          : say(
              '${name} is outside the tenant’s Temporary Access Pass policy (not included). Graph would create the pass, but it could not be used to sign in. Ask an administrator to add them to the policy first.',
              { name },
            ),
      );
    case 'unknown':
      return notEligible(
        say(
          'I could not confirm that ${name} is inside the Temporary Access Pass policy (${reason}), so no pass can be requested.',
          { name, reason: scope.reason },
        ),
      );
    case 'included':
      break;
  }
  if (!facts.roleTemplateIds.known) {
    return notEligible(
      say('I could not read whether ${name} holds a directory role (${reason}), so no pass can be requested.', {
        name,
        reason: facts.roleTemplateIds.reason,
      }),
    );
  }
  const privileged = facts.roleTemplateIds.value.length > 0;
  const refused = refusePrivileged(name, privileged, policy);
  if (refused) return headed(refused, NO_PASS_FOR_THIS_PERSON);
  return { target: { ...user, displayName: name, userPrincipalName: user.userPrincipalName ?? '' }, privileged };
}
