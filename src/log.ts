import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Fields that may carry a credential. A Temporary Access Pass is never passed to the logger on
 * purpose; the redaction is the second line of defence if a Graph response or error slips in.
 */
export const REDACTED_PATHS = [
  'temporaryAccessPass',
  '*.temporaryAccessPass',
  '*.*.temporaryAccessPass',
  'password',
  '*.password',
  'clientSecret',
  '*.clientSecret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'ssar-helpdesk',
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
    },
    destination,
  );
}
