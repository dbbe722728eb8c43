import { describe, expect, it } from 'vitest';
import {
  matchesFilter,
  matchesSearch,
  ODataQueryError,
  parseFilter,
  parseSearch,
  usesAdvancedOperators,
} from '../../src/emulator/odata.js';

const siobhan = {
  givenName: 'Siobhán',
  surname: "O'Brien",
  accountEnabled: true,
  userType: 'Member',
  proxyAddresses: ['SMTP:siobhan.obrien@contoso.com'],
};
const audit = {
  activityDateTime: '2026-01-10T12:00:00Z',
  activityDisplayName: 'Add member to group',
  initiatedBy: { user: { id: '11111111-0000-4000-8000-000000000018' } },
  targetResources: [
    { id: '11111111-0000-4000-8000-000000000013', type: 'User' },
    { id: '22222222-0000-4000-8000-000000000001', type: 'Group' },
  ],
};

const matches = (filter: string, item: unknown) => matchesFilter(parseFilter(filter), item);

describe('OData $filter', () => {
  it('reads a doubled quote inside a string literal as one quote', () => {
    expect(matches("surname eq 'O''Brien'", siobhan)).toBe(true);
    expect(matches("startswith(surname,'O''B')", siobhan)).toBe(true);
  });

  it('compares strings case-insensitively, as directory filters do', () => {
    expect(matches("givenName eq 'siobhán' and surname eq 'o''brien'", siobhan)).toBe(true);
  });

  it('binds and tighter than or, and honours parentheses and not', () => {
    expect(matches("givenName eq 'x' and surname eq 'y' or accountEnabled eq true", siobhan)).toBe(true);
    expect(matches("givenName eq 'x' and (surname eq 'y' or accountEnabled eq true)", siobhan)).toBe(false);
    expect(matches("not (userType eq 'Guest')", siobhan)).toBe(true);
    expect(matches("userType ne 'Member'", siobhan)).toBe(false);
  });

  it('evaluates lambda any over objects and over plain strings', () => {
    expect(matches("targetResources/any(t:t/id eq '22222222-0000-4000-8000-000000000001')", audit)).toBe(true);
    expect(matches('targetResources/any(t:t/id eq 22222222-0000-4000-8000-000000000099)', audit)).toBe(false);
    expect(matches("proxyAddresses/any(p:startswith(p,'smtp:siobhan'))", siobhan)).toBe(true);
  });

  it('follows nested property paths', () => {
    expect(matches("initiatedBy/user/id eq '11111111-0000-4000-8000-000000000018'", audit)).toBe(true);
  });

  it('compares date-times as instants, quoted or not', () => {
    expect(matches('activityDateTime ge 2026-01-10T11:59:59Z', audit)).toBe(true);
    expect(matches('activityDateTime ge 2026-01-10T12:00:01Z', audit)).toBe(false);
    expect(matches("activityDateTime le '2026-01-10T13:00:00+01:00'", audit)).toBe(true);
  });

  it('rejects malformed filters with a query error', () => {
    expect(() => parseFilter("surname eq 'unterminated")).toThrow(ODataQueryError);
    expect(() => parseFilter('surname eq')).toThrow(ODataQueryError);
    expect(() => parseFilter("(surname eq 'x'")).toThrow(ODataQueryError);
  });

  it('flags ne, not and endswith as advanced queries', () => {
    expect(usesAdvancedOperators(parseFilter("surname eq 'x'"))).toBe(false);
    expect(usesAdvancedOperators(parseFilter("surname ne 'x'"))).toBe(true);
    expect(usesAdvancedOperators(parseFilter("endswith(mail,'@contoso.com')"))).toBe(true);
  });
});

describe('OData $search', () => {
  it('matches words that start with the term', () => {
    const search = parseSearch('"displayName:sør" OR "mail:nobody"');
    expect(matchesSearch(search, { displayName: 'Henrik Sørensen', mail: 'henrik.sorensen@contoso.com' })).toBe(true);
    expect(matchesSearch(search, { displayName: 'Adele Vance', mail: 'adele.vance@contoso.com' })).toBe(false);
  });
});
