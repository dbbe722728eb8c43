import type { DestinationStream } from 'pino';

/** pino's numeric levels, as a person reads them. */
const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/** Keys pino writes on every line; shown as the line's time, level and message instead of as fields. */
const FRAME_KEYS = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value && typeof value === 'object' && 'message' in value && 'name' in value)
    return JSON.stringify(`${String(value.name)}: ${String(value.message)}`);
  return JSON.stringify(value);
}

/**
 * One JSON log line as a person reads it on a terminal: `14:03:07 WARN  message  key=value …`.
 * The fields are the same ones (already redacted) the JSON line carries; a line that is not JSON is kept as it is.
 */
export function readableLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '--:--:--';
  const level = LEVEL_NAMES[Number(entry.level)] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key, value]) => !FRAME_KEYS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  return [`${time} ${level} ${String(entry.msg ?? '')}`, ...fields].join('  ');
}

export interface ConsoleLogOutput extends DestinationStream {
  /** Writes the lines held so far and every later line straight away. */
  release(): void;
}

/**
 * Where `npm start` logs: JSON lines (what a log pipeline reads) unless `readable`, and held back
 * until `release()` so the start banner comes first, above them.
 */
export function consoleLogOutput(options: {
  readable: boolean;
  hold: boolean;
  out?: { write(text: string): unknown };
}): ConsoleLogOutput {
  const out = options.out ?? process.stdout;
  let held: string[] | undefined = options.hold ? [] : undefined;
  const emit = (line: string) => out.write(options.readable ? `${readableLogLine(line)}\n` : line);
  return {
    write(line: string) {
      if (held) held.push(line);
      else emit(line);
    },
    release() {
      const lines = held ?? [];
      held = undefined;
      for (const line of lines) emit(line);
    },
  };
}

/** Readable lines only for a person at a terminal; JSON when the output goes to a file or a pipe, and always in production. */
export function wantsReadableLogs(stdoutIsTty: boolean | undefined, env: Record<string, string | undefined>): boolean {
  return stdoutIsTty === true && env.NODE_ENV !== 'production';
}
