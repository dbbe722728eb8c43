import { describe, expect, it } from 'vitest';
import { bindIdentity, type IdentityProfile, identitySettings } from '../../src/caller-verification/identity.js';
import { known, unknownFact } from '../../src/eligibility/facts.js';

const PROFILE: IdentityProfile = {
  name: 'Contoso account recovery (AU10TIX)',
  state: 'enabled',
  priority: 0,
  verifiedIdProfileConfiguration: {
    type: 'verifiedIdentity',
    acceptedIssuer: 'did:web:idv.au10tix.example',
    claimBindings: [
      { sourceAttribute: 'First name', verifiedIdClaim: 'vc.credentialSubject.givenName' },
      { sourceAttribute: 'Last name', verifiedIdClaim: 'vc.credentialSubject.familyName' },
    ],
  },
  faceCheckConfiguration: { isEnabled: true, sourcePhotoClaimName: 'portrait' },
  verifiedIdUsageConfigurations: [{ purpose: 'recovery', isEnabledForTestOnly: false }],
};
const CONFIGURED = { overrideIssuers: [], acceptedIssuers: ['did:web:verifiedid.contoso.com'] };

describe('which settings an identity credential is requested and read with (pure)', () => {
  it('the tenant’s recovery profile: type, issuer, the claims bound to First name and Last name, the photo claim', () => {
    expect(identitySettings(known([PROFILE]), CONFIGURED)).toEqual({
      type: 'verifiedIdentity',
      acceptedIssuers: ['did:web:idv.au10tix.example'],
      givenNameClaim: 'givenName',
      surnameClaim: 'familyName',
      photoClaim: 'portrait',
      source: 'the tenant’s recovery profile “Contoso account recovery (AU10TIX)”',
    });
  });

  it('configuration overrides the profile; without a readable profile it decides, and says why', () => {
    const override = identitySettings(known([PROFILE]), {
      ...CONFIGURED,
      overrideIssuers: ['did:web:idv.other.example'],
    });
    expect(override).toMatchObject({
      acceptedIssuers: ['did:web:idv.other.example'],
      source: expect.stringContaining('VERIFIED_ID_IDENTITY_ISSUERS'),
    });
    const unread = identitySettings(unknownFact('needs VerifiedId-Profile.Read.All'), CONFIGURED);
    expect(unread).toMatchObject({
      acceptedIssuers: CONFIGURED.acceptedIssuers,
      source: expect.stringContaining('needs VerifiedId-Profile.Read.All'),
    });
    const disabled = identitySettings(known([{ ...PROFILE, state: 'disabled' }]), CONFIGURED);
    expect(disabled.source).toContain('no enabled recovery profile');
  });
});

describe('binding a name-matched identity credential to one account (pure)', () => {
  it('binds when nobody else has the name, or when the organisation’s record matches; never on a name shared or unknown', () => {
    expect(bindIdentity({ namesakes: known(0) })).toEqual({ matchedBy: 'first and last name, unique in the tenant' });
    expect(bindIdentity({ namesakes: known(1), record: { pass: true } })).toEqual({
      matchedBy: 'first and last name and the organisation’s record',
    });
    expect(bindIdentity({ namesakes: known(1) })).toMatchObject({ code: 'namesake' });
    expect(bindIdentity({ namesakes: unknownFact('throttled') })).toMatchObject({ code: 'namesakes-unknown' });
    expect(bindIdentity(undefined)).toMatchObject({ code: 'namesakes-unknown' });
    const failed = bindIdentity({
      namesakes: known(0),
      record: { pass: false, failedClaims: ['dateOfBirth'], reason: 'dateOfBirth does not match the record' },
    });
    expect(failed).toMatchObject({ code: 'namesake', failure: expect.stringContaining('(dateOfBirth)') });
  });
});
