import { fileURLToPath } from 'node:url';
import { type Config, isLoopbackUrl } from '../config.js';
import { type EntraLoginEmulator, startEntraLoginEmulator } from './entra-login.js';

/** The demo's extension API app registration (its application id is the tokens' `aud`). */
export const DEMO_EXTENSION_AUDIENCE = '33333333-0000-4000-8000-00000000e0a1';
/**
 * The demo organisation's HR records: both Jon Does with their own date of birth and passport
 * number, a directory role holder (Nestor Wilke) and a few others (src/emulator/README.md).
 */
export const DEMO_RECORDS_PATH = fileURLToPath(new URL('./tenants/contoso-records.csv', import.meta.url));

/**
 * The claim validation extension for the demo (`npm start`, tests): Entra's sign-in host emulated on
 * loopback (on ENTRA_LOGIN_BASE_URL's port when that is a loopback URL), the demo records as the
 * claims source unless RECOVERY_CLAIMS_SOURCE names another, and the demo audience.
 */
export async function withDemoClaimValidation(
  config: Config,
  tenantId: string,
): Promise<{ emulator: EntraLoginEmulator; config: Config }> {
  const chosen = config.recoveryExtension;
  const port = isLoopbackUrl(chosen.loginBaseUrl) ? Number(new URL(chosen.loginBaseUrl).port) || 0 : 0;
  const emulator = await startEntraLoginEmulator({ tenantId, port });
  return {
    emulator,
    config: {
      ...config,
      recoveryExtension: {
        ...chosen,
        claimsSource: chosen.claimsSource ?? { kind: 'csv', path: DEMO_RECORDS_PATH },
        audience: chosen.audience ?? DEMO_EXTENSION_AUDIENCE,
        loginBaseUrl: emulator.baseUrl,
        tenantId,
      },
    },
  };
}
