import { readFileSync } from 'node:fs';
import { DEMO_EXTENSION_AUDIENCE, DEMO_RECORDS_PATH } from '../../src/emulator/claim-validation-demo.js';
import type { CalloutInput } from '../../src/emulator/entra-login.js';
import { CLAIM_VALIDATION_PATH } from '../../src/recovery-extension/route.js';
import type { Harness } from '../harness.js';

/** The demo organisation's records, read here the way a tester reads the HR file. */
export const RECORDS = Object.fromEntries(
  readFileSync(DEMO_RECORDS_PATH, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [upn, employeeId, firstName, lastName, dateOfBirth, , documentId] = line.split(',');
      return [
        upn!,
        {
          employeeId: employeeId!,
          firstName: firstName!,
          lastName: lastName!,
          dateOfBirth: dateOfBirth!,
          documentId: documentId!,
        },
      ];
    }),
);

/** The claims a person's own ID shows, as Verified ID presents them. */
export function ownClaims(upn: string): Record<string, string> {
  const record = RECORDS[upn]!;
  return {
    firstName: record.firstName,
    lastName: record.lastName,
    dateOfBirth: record.dateOfBirth,
    documentType: 'Passport',
    documentId: record.documentId,
  };
}

/** Every claim value on record or presented: scanned for in every log line, stored byte and card. */
export function rememberClaimValues(harness: Harness): void {
  for (const record of Object.values(RECORDS)) harness.claimValues.push(record.dateOfBirth, record.documentId);
}

export const extensionUrl = (harness: Harness) => `${harness.bot.url}${CLAIM_VALIDATION_PATH}`;

/** Entra calling the bot's extension, with a token from the emulated tenant. */
export function callout(harness: Harness, input: CalloutInput) {
  return harness.entra!.sendCallout(extensionUrl(harness), DEMO_EXTENSION_AUDIENCE, input);
}

export const passAnswer = {
  data: {
    '@odata.type': 'microsoft.graph.onVerifiedIdClaimValidationResponseData',
    actions: [{ '@odata.type': 'microsoft.graph.verifiedIdClaimValidation.pass' }],
  },
};

export const failedAnswer = (failedClaims: string[]) => ({
  data: {
    '@odata.type': 'microsoft.graph.onVerifiedIdClaimValidationResponseData',
    actions: [{ '@odata.type': 'microsoft.graph.verifiedIdClaimValidation.failed', failedClaims }],
  },
});
