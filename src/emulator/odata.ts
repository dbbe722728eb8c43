/**
 * The slice of OData v4 query options the bot sends to Microsoft Graph: `$filter` (parsed and
 * evaluated against plain JSON objects), `$select`, `$top`/`$skiptoken` paging and `$search`.
 * Pure functions, no I/O.
 */

export type FilterExpression =
  | {
      kind: 'literal';
      value: string | number | boolean | null;
      type: 'string' | 'number' | 'boolean' | 'null' | 'guid' | 'datetime';
    }
  | { kind: 'path'; segments: string[] }
  | { kind: 'compare'; op: ComparisonOperator; left: FilterExpression; right: FilterExpression }
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'call'; name: 'startswith' | 'endswith' | 'contains'; args: FilterExpression[] }
  | { kind: 'any'; collection: string[]; variable: string | null; predicate: FilterExpression | null };

type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A query the emulator cannot or will not answer; maps onto a Graph 400 error body. */
export class ODataQueryError extends Error {
  constructor(
    message: string,
    readonly code = 'BadRequest',
  ) {
    super(message);
  }
}

type Token =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'guid' | 'datetime' | 'word'; value: string }
  | { type: '(' | ')' | ',' | ':' | '/' };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/;
const NUMBER = /^-?\d+(\.\d+)?/;
const WORD = /^[A-Za-z_@$][A-Za-z0-9_.@$]*/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let rest = text;
  while (rest.length > 0) {
    const whitespace = /^\s+/.exec(rest);
    if (whitespace) {
      rest = rest.slice(whitespace[0].length);
      continue;
    }
    const single = rest[0];
    if (single === '(' || single === ')' || single === ',' || single === ':' || single === '/') {
      tokens.push({ type: single });
      rest = rest.slice(1);
      continue;
    }
    if (single === "'") {
      // OData escapes a quote inside a string literal by doubling it: 'O''Brien'.
      let value = '';
      let index = 1;
      for (;;) {
        if (index >= rest.length) throw new ODataQueryError('Invalid filter clause: unterminated string literal.');
        if (rest[index] === "'") {
          if (rest[index + 1] === "'") {
            value += "'";
            index += 2;
            continue;
          }
          break;
        }
        value += rest[index];
        index += 1;
      }
      tokens.push({ type: 'string', value });
      rest = rest.slice(index + 1);
      continue;
    }
    const datetime = DATETIME.exec(rest);
    if (datetime) {
      tokens.push({ type: 'datetime', value: datetime[0] });
      rest = rest.slice(datetime[0].length);
      continue;
    }
    const guid = GUID.exec(rest);
    if (guid) {
      tokens.push({ type: 'guid', value: guid[0] });
      rest = rest.slice(guid[0].length);
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ type: 'number', value: Number(number[0]) });
      rest = rest.slice(number[0].length);
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      tokens.push({ type: 'word', value: word[0] });
      rest = rest.slice(word[0].length);
      continue;
    }
    throw new ODataQueryError(`Invalid filter clause: unexpected character '${single}'.`);
  }
  return tokens;
}

const COMPARISON_OPERATORS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set<string>(['startswith', 'endswith', 'contains']);

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterExpression {
    const expression = this.parseOr();
    if (this.position < this.tokens.length)
      throw new ODataQueryError('Invalid filter clause: unexpected trailing input.');
    return expression;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens[this.position];
    if (!token) throw new ODataQueryError('Invalid filter clause: unexpected end of expression.');
    this.position += 1;
    return token;
  }

  private expect(type: Token['type']): Token {
    const token = this.next();
    if (token.type !== type) throw new ODataQueryError(`Invalid filter clause: expected '${type}'.`);
    return token;
  }

  private isWord(value: string): boolean {
    const token = this.peek();
    return token?.type === 'word' && token.value.toLowerCase() === value;
  }

  private parseOr(): FilterExpression {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parseUnary();
    while (this.isWord('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpression {
    if (this.isWord('not')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary() };
    }
    return this.parseComparison();
  }

  private parseComparison(): FilterExpression {
    const left = this.parsePrimary();
    const token = this.peek();
    if (token?.type === 'word' && COMPARISON_OPERATORS.has(token.value.toLowerCase())) {
      this.next();
      return { kind: 'compare', op: token.value.toLowerCase() as ComparisonOperator, left, right: this.parsePrimary() };
    }
    return left;
  }

  private parsePrimary(): FilterExpression {
    const token = this.next();
    switch (token.type) {
      case '(': {
        const inner = this.parseOr();
        this.expect(')');
        return inner;
      }
      case 'string':
        return { kind: 'literal', value: token.value, type: 'string' };
      case 'number':
        return { kind: 'literal', value: token.value, type: 'number' };
      case 'guid':
        return { kind: 'literal', value: token.value, type: 'guid' };
      case 'datetime':
        return { kind: 'literal', value: token.value, type: 'datetime' };
      case 'word':
        return this.parseWord(token.value);
      default:
        throw new ODataQueryError(`Invalid filter clause: unexpected '${token.type}'.`);
    }
  }

  private parseWord(word: string): FilterExpression {
    const lower = word.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true', type: 'boolean' };
    if (lower === 'null') return { kind: 'literal', value: null, type: 'null' };
    if (FUNCTIONS.has(lower) && this.peek()?.type === '(') {
      this.next();
      const args = [this.parseOr()];
      while (this.peek()?.type === ',') {
        this.next();
        args.push(this.parseOr());
      }
      this.expect(')');
      if (args.length !== 2) throw new ODataQueryError(`Invalid filter clause: ${lower} takes two arguments.`);
      return { kind: 'call', name: lower as 'startswith' | 'endswith' | 'contains', args };
    }
    const segments = [word];
    while (this.peek()?.type === '/') {
      this.next();
      const segment = this.expect('word') as { value: string };
      if (segment.value.toLowerCase() === 'any' && this.peek()?.type === '(') return this.parseAny(segments);
      segments.push(segment.value);
    }
    return { kind: 'path', segments };
  }

  /** `collection/any(v:predicate)` or `collection/any()`. */
  private parseAny(collection: string[]): FilterExpression {
    this.expect('(');
    if (this.peek()?.type === ')') {
      this.next();
      return { kind: 'any', collection, variable: null, predicate: null };
    }
    const variable = (this.expect('word') as { value: string }).value;
    this.expect(':');
    const predicate = this.parseOr();
    this.expect(')');
    return { kind: 'any', collection, variable, predicate };
  }
}

export function parseFilter(text: string): FilterExpression {
  return new Parser(tokenize(text)).parse();
}

/**
 * Graph treats `ne`, `not` and `endswith` on directory objects as advanced queries that need
 * `ConsistencyLevel: eventual` (and answers 400 without it).
 */
export function usesAdvancedOperators(expression: FilterExpression): boolean {
  switch (expression.kind) {
    case 'compare':
      return (
        expression.op === 'ne' || usesAdvancedOperators(expression.left) || usesAdvancedOperators(expression.right)
      );
    case 'and':
    case 'or':
      return usesAdvancedOperators(expression.left) || usesAdvancedOperators(expression.right);
    case 'not':
      return true;
    case 'call':
      return expression.name === 'endswith' || expression.args.some(usesAdvancedOperators);
    case 'any':
      return expression.predicate !== null && usesAdvancedOperators(expression.predicate);
    default:
      return false;
  }
}

type Scope = Record<string, unknown>;

function readPath(target: unknown, segments: string[]): unknown {
  let current = target;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    const record = current as Record<string, unknown>;
    // Graph property names are case-insensitive in $filter ("Type" and "type" both appear in audit logs).
    const key =
      segment in record
        ? segment
        : Object.keys(record).find((candidate) => candidate.toLowerCase() === segment.toLowerCase());
    current = key === undefined ? undefined : record[key];
  }
  return current;
}

function resolve(expression: FilterExpression, item: unknown, scope: Scope): unknown {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'path': {
      const [head, ...rest] = expression.segments;
      if (head !== undefined && head in scope) return readPath(scope[head], rest);
      return readPath(item, expression.segments);
    }
    default:
      return evaluate(expression, item, scope);
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T/;

function compareValues(left: unknown, right: unknown): number | null {
  if (typeof left === 'string' && typeof right === 'string') {
    if (ISO_DATE.test(left) && ISO_DATE.test(right)) return Date.parse(left) - Date.parse(right);
    const a = left.toLowerCase();
    const b = right.toLowerCase();
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'boolean' && typeof right === 'boolean') return left === right ? 0 : null;
  return null;
}

function equals(left: unknown, right: unknown): boolean {
  if (left === null || left === undefined || right === null || right === undefined) {
    return (left ?? null) === (right ?? null);
  }
  return compareValues(left, right) === 0;
}

function evaluate(expression: FilterExpression, item: unknown, scope: Scope): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, item, scope) && evaluate(expression.right, item, scope);
    case 'or':
      return evaluate(expression.left, item, scope) || evaluate(expression.right, item, scope);
    case 'not':
      return !evaluate(expression.operand, item, scope);
    case 'compare': {
      const left = resolve(expression.left, item, scope);
      const right = resolve(expression.right, item, scope);
      if (expression.op === 'eq') return equals(left, right);
      if (expression.op === 'ne') return !equals(left, right);
      const order = compareValues(left, right);
      if (order === null) return false;
      if (expression.op === 'gt') return order > 0;
      if (expression.op === 'ge') return order >= 0;
      if (expression.op === 'lt') return order < 0;
      return order <= 0;
    }
    case 'call': {
      const [subject, argument] = expression.args.map((arg) => resolve(arg, item, scope));
      if (typeof subject !== 'string' || typeof argument !== 'string') return false;
      const haystack = subject.toLowerCase();
      const needle = argument.toLowerCase();
      if (expression.name === 'startswith') return haystack.startsWith(needle);
      if (expression.name === 'endswith') return haystack.endsWith(needle);
      return haystack.includes(needle);
    }
    case 'any': {
      const collection = resolve({ kind: 'path', segments: expression.collection }, item, scope);
      if (!Array.isArray(collection)) return false;
      const { variable, predicate } = expression;
      if (variable === null || predicate === null) return collection.length > 0;
      return collection.some((element) => evaluate(predicate, item, { ...scope, [variable]: element }));
    }
    case 'path': {
      const value = resolve(expression, item, scope);
      return value === true;
    }
    case 'literal':
      return expression.value === true;
  }
}

export function matchesFilter(expression: FilterExpression, item: unknown): boolean {
  return evaluate(expression, item, {});
}

/** `$select=id,displayName` → ['id', 'displayName']; undefined when absent. */
export function parseSelect(value: string | null): string[] | undefined {
  if (value === null || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * Keeps the selected properties (matched case-insensitively, as Graph does) and `@odata.type`, and
 * nothing else: not even `id` unless selected. A selected property without a value comes back null.
 * https://learn.microsoft.com/graph/api/user-get (Example 3: `$select=displayName,givenName,postalCode,identities`
 * returns those four and no `id`); https://learn.microsoft.com/graph/query-parameters#select-parameter;
 * `@odata.type` on items of directoryObject collections: https://learn.microsoft.com/graph/api/user-list-memberof
 */
export function applySelect<T extends object>(item: T, select: string[]): Record<string, unknown> {
  const source = item as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  if ('@odata.type' in source) result['@odata.type'] = source['@odata.type'];
  for (const wanted of select) {
    const key = Object.keys(source).find((candidate) => candidate.toLowerCase() === wanted.toLowerCase());
    result[key ?? wanted] = key === undefined ? null : source[key];
  }
  return result;
}

/** `$select` applied to a whole GET answer: an entity, or each item of a collection (`value`). */
export function selectInBody(body: unknown, select: string[]): unknown {
  if (!body || typeof body !== 'object') return body;
  const record = body as Record<string, unknown>;
  const annotations = Object.fromEntries(Object.entries(record).filter(([key]) => key.startsWith('@odata.')));
  if (Array.isArray(record.value))
    return {
      ...annotations,
      value: record.value.map((item) => (item && typeof item === 'object' ? applySelect(item, select) : item)),
    };
  return { ...annotations, ...applySelect(record, select) };
}

/**
 * The OData system query options the emulator implements. Support "varies from one API operation
 * to another" (https://learn.microsoft.com/graph/query-parameters); an option the emulator does not
 * implement is refused with a 400 rather than ignored, so a bot request that relies on one shows
 * up in tests instead of in a tenant. The code is the one Graph uses for unsupported queries
 * (https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries);
 * the message is the emulator's own.
 */
const IMPLEMENTED_QUERY_OPTIONS = new Set([
  '$select',
  '$filter',
  '$top',
  '$count',
  '$skiptoken',
  '$search',
  '$orderby',
  // Only where an endpoint expands (a user's installed Teams apps); everywhere else it is still refused.
  '$expand',
]);

export function refuseUnimplementedOptions(query: URLSearchParams): void {
  for (const name of query.keys()) {
    if (name.startsWith('$') && !IMPLEMENTED_QUERY_OPTIONS.has(name.toLowerCase()))
      throw new ODataQueryError(`Query option '${name}' is not supported.`, 'Request_UnsupportedQuery');
  }
}

export function parseTop(value: string | null, options: { defaultSize: number; max: number }): number {
  if (value === null) return options.defaultSize;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > options.max) {
    throw new ODataQueryError(
      `Invalid page size specified: '${value}'. Must be between 1 and ${options.max} inclusive.`,
      'Request_BadRequest',
    );
  }
  return size;
}

/** Skip tokens are opaque to clients; this one carries the offset of the next page. */
export function encodeSkipToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

export function decodeSkipToken(token: string | null): number {
  if (token === null) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new ODataQueryError('Invalid skip token.', 'Request_BadRequest');
  return Number(match[1]);
}

export interface SearchClause {
  property: string;
  term: string;
}

/**
 * `$search="displayName:adele" OR "mail:adele"`: every clause is a quoted `property:term`; clauses
 * combine with AND / OR (left to right, as written).
 */
export function parseSearch(value: string): { clauses: SearchClause[]; operators: ('AND' | 'OR')[] } {
  const clauses: SearchClause[] = [];
  const operators: ('AND' | 'OR')[] = [];
  const pattern = /\s*"([^"]*)"\s*(AND|OR)?/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(value)) !== null && match[0].length > 0) {
    consumed = pattern.lastIndex;
    const [, clause = '', operator] = match;
    const colon = clause.indexOf(':');
    if (colon < 1)
      throw new ODataQueryError(`Syntax error: invalid $search clause '${clause}'.`, 'Request_UnsupportedQuery');
    clauses.push({ property: clause.slice(0, colon), term: clause.slice(colon + 1) });
    if (operator === 'AND' || operator === 'OR') operators.push(operator);
  }
  if (clauses.length === 0 || consumed < value.trim().length || operators.length !== clauses.length - 1) {
    throw new ODataQueryError('Syntax error: $search must look like "property:term".', 'Request_UnsupportedQuery');
  }
  return { clauses, operators };
}

/** Directory search matches words that start with the term, case-insensitively. */
export function matchesSearch(search: ReturnType<typeof parseSearch>, item: unknown): boolean {
  const hits = search.clauses.map(({ property, term }) => {
    const value = readPath(item, [property]);
    if (typeof value !== 'string') return false;
    const lowerTerm = term.toLowerCase();
    return (
      value.toLowerCase().startsWith(lowerTerm) ||
      value
        .toLowerCase()
        .split(/[\s.@_-]+/)
        .some((word) => word.startsWith(lowerTerm))
    );
  });
  return hits
    .slice(1)
    .reduce(
      (result, hit, index) => (search.operators[index] === 'AND' ? result && hit : result || hit),
      hits[0] ?? false,
    );
}
