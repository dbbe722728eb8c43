import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const TENANT = '33333333-0000-4000-8000-000000000001';
const CLIENT = '33333333-0000-4000-8000-000000000002';
const realTenant = {
  GRAPH_TENANT_ID: TENANT,
  GRAPH_CLIENT_ID: CLIENT,
  GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
};

const problem = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    return error instanceof ConfigError ? error.message : String(error);
  }
};

describe('claim validation extension configuration', () => {
  it('is off without RECOVERY_CLAIMS_SOURCE, with its defaults', () => {
    expect(loadConfig(realTenant).recoveryExtension).toEqual({
      claimsSource: undefined,
      requiredClaims: ['dateOfBirth'],
      privileged: 'refuse',
      audience: undefined,
      loginBaseUrl: 'https://login.microsoftonline.com',
      tenantId: TENANT,
    });
  });

  it('fails closed: a claims source without an audience stops start-up, naming the variable', () => {
    expect(problem({ ...realTenant, RECOVERY_CLAIMS_SOURCE: 'csv:/home/data/hr.csv' })).toMatch(
      /^Configuration error: RECOVERY_EXTENSION_AUDIENCE is required when RECOVERY_CLAIMS_SOURCE is set/,
    );
  });

  it('reads a CSV path or an HR API URL, the required claims and the privileged policy', () => {
    const config = loadConfig({
      ...realTenant,
      RECOVERY_CLAIMS_SOURCE: 'https://hr.contoso.com/api/',
      RECOVERY_EXTENSION_AUDIENCE: CLIENT,
      RECOVERY_REQUIRED_CLAIMS: 'dateOfBirth, documentId',
      RECOVERY_PRIVILEGED: 'allow',
      AUTHORITY_HOST: 'https://login.microsoftonline.us',
    }).recoveryExtension;
    expect(config).toMatchObject({
      claimsSource: { kind: 'hr-api', baseUrl: 'https://hr.contoso.com/api' },
      requiredClaims: ['dateOfBirth', 'documentId'],
      privileged: 'allow',
      loginBaseUrl: 'https://login.microsoftonline.us',
    });
  });

  it.each([
    [{ RECOVERY_CLAIMS_SOURCE: 'hr.csv' }, /RECOVERY_CLAIMS_SOURCE must be csv:<path> or the https base URL/],
    [{ RECOVERY_CLAIMS_SOURCE: 'http://hr.contoso.com/api' }, /RECOVERY_CLAIMS_SOURCE must use https/],
    [
      { RECOVERY_REQUIRED_CLAIMS: 'date of birth' },
      /RECOVERY_REQUIRED_CLAIMS must be a comma-separated list of claim keys/,
    ],
    [{ RECOVERY_PRIVILEGED: 'maybe' }, /RECOVERY_PRIVILEGED must be one of refuse, allow/],
    [
      { ENTRA_LOGIN_BASE_URL: 'http://login.contoso.com' },
      /ENTRA_LOGIN_BASE_URL must use https unless it points at this machine/,
    ],
  ])('refuses %j', (env, message) => {
    expect(problem({ ...realTenant, RECOVERY_EXTENSION_AUDIENCE: CLIENT, ...env })).toMatch(message);
  });
});
