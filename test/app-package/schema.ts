import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

/** Errors against the published Teams manifest schema for the manifest's own version; none when valid. */
export function manifestSchemaErrors(manifest: { manifestVersion: string }): ErrorObject[] {
  const schema = require(
    `@microsoft/app-manifest/build/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
  );
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile(schema);
  return validate(manifest) ? [] : (validate.errors ?? []);
}

/** Errors of one localized strings file against the Teams localization schema of the manifest's version. */
export function localizationSchemaErrors(manifestVersion: string, strings: object): ErrorObject[] {
  const schema = require(
    `@microsoft/app-manifest/build/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.Localization.schema.json`,
  );
  // The published schema's patterns are not valid as unicode regular expressions (an unescaped "]").
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile(schema);
  return validate(strings) ? [] : (validate.errors ?? []);
}

/** The values Agents Toolkit fills in at provision time, as a real environment would have them. */
export const SAMPLE_ENVIRONMENT: Record<string, string> = {
  TEAMS_APP_ID: '3f1c2a9e-5b7d-4c1e-9a2b-7d6e5f4c3b2a',
  BOT_ID: '0b6c4d2e-8f1a-4b3c-9d5e-6f7a8b9c0d1e',
  BOT_DOMAIN: 'ssar-helpdesk.azurewebsites.net',
  GRAPH_CLIENT_ID: '7a1e3c5d-2b4f-4e6a-8c0d-1f3e5a7c9b2d',
  APP_NAME_SUFFIX: '',
};
