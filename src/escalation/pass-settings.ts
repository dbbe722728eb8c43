import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { tapIssueSettings } from '../eligibility/tap-scope.js';

export type TapPolicy = GraphTypes.TemporaryAccessPassAuthenticationMethodConfiguration;

export interface PassSettings {
  lifetimeInMinutes: number;
  isUsableOnce: true;
  /** Why this lifetime: the bot's setting, or the TAP policy's bound when the setting lies outside it. */
  lifetimeSource: 'configured' | 'policy-minimum' | 'policy-maximum';
}

/** The pass as it exists for one moment in memory, on its way to the person it is for. Never stored. */
export interface PassToDeliver {
  code: string;
  startsAt: string;
  expiresAt: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}

/**
 * The shortest lifetime the policy allows at or above the configured one, and always one-time use:
 * a policy with isUsableOnce true makes every pass one-time, one with false lets the creator choose
 * (https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration).
 * A pass read out over a call should not work twice.
 */
export function passSettingsFor(policy: TapPolicy, wantedMinutes: number): PassSettings {
  const { lifetimeInMinutes } = tapIssueSettings(policy, wantedMinutes);
  const lifetimeSource =
    lifetimeInMinutes > wantedMinutes
      ? 'policy-minimum'
      : lifetimeInMinutes < wantedMinutes
        ? 'policy-maximum'
        : 'configured';
  return { lifetimeInMinutes, isUsableOnce: true, lifetimeSource };
}
