import { type DestinationStream, type Logger, pino } from 'pino';
import { traceIds } from './telemetry/telemetry.js';

export type { Logger };

/**
 * Keys whose values may carry a credential, in the spellings Graph, OAuth, HTTP and the Bot
 * Framework use; matched at any depth and in any letter case. A Temporary Access Pass is never
 * passed to the logger on purpose: this is the second line of defence if a Graph response, an
 * error or a request slips into a log line.
 */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'temporaryaccesspass',
  'password',
  'microsoftapppassword',
  'secret',
  'clientsecret',
  'client_secret',
  'client_assertion',
  'authorization',
  'cookie',
  'set-cookie',
  'token',
  'accesstoken',
  'access_token',
  'refresh_token',
  'id_token',
  // Verified ID claims presented during account recovery (issue 30): a date of birth or document number.
  'claims',
  'dateofbirth',
  'documentid',
  'documentnumber',
]);
export const REDACTED = '[redacted]';
/** A bearer JWT quoted inside some text, such as an error message that echoes a request. */
const BEARER_TOKEN = /Bearer\s+[\w-]+\.[\w-]+\.[\w-]*/gi;
/** Deeper than any shape the bot logs; what lies below is dropped rather than scanned. */
const MAX_DEPTH = 8;

/** A copy of a log object with every sensitive value, bearer tokens inside text and the code of a pass (`pass.code`) censored. */
export function redactSecrets(value: unknown, depth = 0, parentKey = ''): unknown {
  if (typeof value === 'string') return value.replace(BEARER_TOKEN, `Bearer ${REDACTED}`);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, parentKey));
  const isError = value instanceof Error;
  if (!isError && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
    return value;
  // An error keeps its name (pino's err serializer reads it off a prototype-less object), message and stack.
  const copy: Record<string, unknown> = isError
    ? Object.assign(Object.create(null), {
        name: value.name,
        message: redactSecrets(value.message),
        stack: redactSecrets(value.stack),
      })
    : {};
  for (const [key, inner] of Object.entries(value)) {
    const sensitive = SENSITIVE_KEYS.has(key.toLowerCase()) || (parentKey === 'pass' && key === 'code');
    copy[key] = sensitive ? REDACTED : redactSecrets(inner, depth + 1, key);
  }
  return copy;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'ssar-helpdesk',
      level,
      // Child loggers' bindings are not passed through here; the bot binds only activity and conversation ids.
      formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
      base: undefined,
      // The trace and span of the turn or job that wrote the line, when telemetry is on.
      mixin: () => traceIds() ?? {},
    },
    destination,
  );
}

/** Name and message of an error, never its stack or attached request data. */
export function errorSummary(error: unknown): { name: string; message: string; code?: string; statusCode?: number } {
  if (error instanceof Error) {
    const e = error as Error & { code?: unknown; statusCode?: unknown };
    return {
      name: e.name,
      message: e.message.slice(0, 500),
      code: typeof e.code === 'string' ? e.code : undefined,
      statusCode: typeof e.statusCode === 'number' ? e.statusCode : undefined,
    };
  }
  return { name: 'NonError', message: String(error).slice(0, 500) };
}
