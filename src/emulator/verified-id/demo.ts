import type { Config } from '../../config.js';
import { startVerifiedIdEmulator, type VerifiedIdEmulator } from './request-service.js';

/** The demo tenant's verifier and issuer (MyAccount issues VerifiedEmployee under the tenant's own DID). */
export const DEMO_VERIFIER_DID = 'did:web:verifiedid.contoso.com';

/**
 * The Request Service emulator for the demo (`npm start`): caller verification on (optional unless
 * CALLER_VERIFICATION says more), the Contoso DID as verifier and only accepted issuer, and the
 * Request Service pointed at the emulator. No Azure involved.
 */
export async function withDemoVerifiedId(config: Config): Promise<{ emulator: VerifiedIdEmulator; config: Config }> {
  const emulator = await startVerifiedIdEmulator();
  const chosen = config.verification;
  return {
    emulator,
    config: {
      ...config,
      verification: {
        ...chosen,
        policy: chosen.policy === 'off' ? 'optional' : chosen.policy,
        authority: chosen.authority ?? DEMO_VERIFIER_DID,
        acceptedIssuers: chosen.acceptedIssuers.length > 0 ? chosen.acceptedIssuers : [DEMO_VERIFIER_DID],
        requestServiceUrl: emulator.baseUrl,
      },
    },
  };
}
