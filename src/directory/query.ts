/*
 * Graph request paths built from parts, never by pasting values into a string. The Graph JS client
 * keeps a query string as it is given (it splits on `&` and `=` and joins again), so each value is
 * percent-encoded here (RFC 3986): a raw `+` would reach Graph as a space, a raw `&` would split a
 * $filter in two, and a raw `#` would cut the URL at a fragment.
 */

export type QueryOptions = Record<string, string | number | boolean | undefined>;

/** `path?key=value&...` with every value percent-encoded; undefined options are left out. */
export function graphPath(path: string, options: QueryOptions = {}): string {
  const query = Object.entries(options)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&');
  return query ? `${path}?${query}` : path;
}

/** An OData string literal: quotes doubled, never interpolated raw. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The path of one user by object id or user principal name. A UPN that starts with `$` breaks
 * OData's URL convention (only system query options start with `$`), so Graph answers
 * `/users/$x@y.com` with 400 and wants `/users('$x@y.com')`; a B2B UPN's `#` must be sent as `%23`.
 * https://learn.microsoft.com/graph/api/user-get (HTTP request, notes)
 */
export function userPath(key: string): string {
  if (key.startsWith('$')) return `/users(${encodeURIComponent(odataString(key)).replace(/^'%24/, "'$")})`;
  return `/users/${encodeURIComponent(key)}`;
}
