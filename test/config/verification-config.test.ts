import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, PUBLIC_VERIFIED_ID_BASE_URL } from '../../src/config.js';

const TENANT = '0b6c4d2e-8f1a-4b3c-9d5e-6f7a8b9c0d1e';
const ON = {
  GRAPH_TENANT_ID: TENANT,
  GRAPH_CLIENT_ID: TENANT,
  CALLER_VERIFICATION: 'required',
  VERIFIED_ID_AUTHORITY: 'did:web:verifiedid.contoso.com',
  VERIFIED_ID_ACCEPTED_ISSUERS: 'did:web:verifiedid.contoso.com',
  PUBLIC_BASE_URL: 'https://helpdesk.contoso.com',
};

const problemWith = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('caller verification configuration', () => {
  it('is off by default, with the documented Face Check default and the public Request Service', () => {
    const { verification } = loadConfig({});
    expect(verification).toMatchObject({
      policy: 'off',
      faceCheckThreshold: 70,
      credentialTypes: ['VerifiedEmployee'],
      passDelivery: 'verified-person',
      requestServiceUrl: PUBLIC_VERIFIED_ID_BASE_URL,
      linkMinutes: 15,
    });
  });

  it('reads a complete setup', () => {
    const { verification } = loadConfig({
      ...ON,
      VERIFIED_ID_CREDENTIAL_TYPES: 'VerifiedEmployee,VerifiedIdentity',
      FACE_CHECK_THRESHOLD: '85',
      PASS_DELIVERY: 'agent-chat',
    });
    expect(verification).toMatchObject({
      policy: 'required',
      authority: 'did:web:verifiedid.contoso.com',
      acceptedIssuers: ['did:web:verifiedid.contoso.com'],
      credentialTypes: ['VerifiedEmployee', 'VerifiedIdentity'],
      faceCheckThreshold: 85,
      passDelivery: 'agent-chat',
      publicBaseUrl: 'https://helpdesk.contoso.com',
    });
  });

  it.each([
    [{ ...ON, CALLER_VERIFICATION: 'always' }, 'CALLER_VERIFICATION'],
    [{ ...ON, VERIFIED_ID_AUTHORITY: '' }, 'VERIFIED_ID_AUTHORITY'],
    [{ ...ON, VERIFIED_ID_AUTHORITY: 'contoso.com' }, 'VERIFIED_ID_AUTHORITY'],
    [{ ...ON, VERIFIED_ID_ACCEPTED_ISSUERS: '' }, 'VERIFIED_ID_ACCEPTED_ISSUERS'],
    [{ ...ON, VERIFIED_ID_ACCEPTED_ISSUERS: 'did:web:a.com,https://b.com' }, 'VERIFIED_ID_ACCEPTED_ISSUERS'],
    [{ ...ON, VERIFIED_ID_CREDENTIAL_TYPES: 'VerifiedEmployee,Passport' }, 'VERIFIED_ID_CREDENTIAL_TYPES'],
    [{ ...ON, FACE_CHECK_THRESHOLD: '49' }, 'FACE_CHECK_THRESHOLD'],
    [{ ...ON, FACE_CHECK_THRESHOLD: '101' }, 'FACE_CHECK_THRESHOLD'],
    [{ ...ON, FACE_CHECK_THRESHOLD: '70.5' }, 'FACE_CHECK_THRESHOLD'],
    [{ ...ON, PASS_DELIVERY: 'email' }, 'PASS_DELIVERY'],
    [{ ...ON, PUBLIC_BASE_URL: '' }, 'PUBLIC_BASE_URL'],
    [{ ...ON, PUBLIC_BASE_URL: 'http://helpdesk.contoso.com' }, 'PUBLIC_BASE_URL'],
    [{ ...ON, VERIFIED_ID_BASE_URL: 'http://verifiedid.example.com/v1.0' }, 'VERIFIED_ID_BASE_URL'],
    [{ ...ON, VERIFICATION_LINK_MINUTES: '600' }, 'VERIFICATION_LINK_MINUTES'],
  ])('stops start-up with one line naming the variable: %o', (env, variable) => {
    const message = problemWith(env);
    expect(message).toContain(variable);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('the demo tenant needs none of it: its emulator brings the verifier DID and issuer', () => {
    expect(loadConfig({ CALLER_VERIFICATION: 'required' }).verification).toMatchObject({
      policy: 'required',
      acceptedIssuers: [],
    });
  });

  it('against a loopback emulator the bot calls itself back, so no public address is needed', () => {
    const { verification } = loadConfig({
      ...ON,
      PUBLIC_BASE_URL: '',
      VERIFIED_ID_BASE_URL: 'http://127.0.0.1:4100/v1.0/',
    });
    expect(verification.publicBaseUrl).toBeUndefined();
    expect(verification.requestServiceUrl).toBe('http://127.0.0.1:4100/v1.0');
  });
});
