import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractErrorDetails, MAX_EXTRACT_CHARS } from '../../src/diagnosis/extract.js';
import { AADSTS55200_PAGE } from './fixtures.js';

describe('reading an error the user pasted', () => {
  it('finds the code, request id, correlation id and time on a full AADSTS55200 error page', () => {
    expect(extractErrorDetails(AADSTS55200_PAGE)).toEqual({
      codes: ['AADSTS55200'],
      requestId: '3f2a9c1e-7b44-4d2e-9a61-0c5e8d7f1b23',
      correlationId: '8c1d4e7a-2b3f-4a5c-9d6e-1f0a2b3c4d5e',
      timestamp: '2025-12-10T10:11:12Z',
      truncated: false,
    });
  });

  it("reads a screenshot's OCR text with lower case, spaces and a space instead of T in the time", () => {
    const ocr =
      "sorry, but we're having trouble signing you in.\naadsts 55200: the continuation_token is invalid\n" +
      'correlation id: 8C1D4E7A-2B3F-4A5C-9D6E-1F0A2B3C4D5E\ntimestamp: 2025-12-10 10:11:12Z';
    const details = extractErrorDetails(ocr);
    expect(details.codes).toEqual(['AADSTS55200']);
    expect(details.correlationId).toBe('8c1d4e7a-2b3f-4a5c-9d6e-1f0a2b3c4d5e');
    expect(details.timestamp).toBe('2025-12-10T10:11:12Z');
  });

  it('reads a zero that OCR turned into the letter O', () => {
    expect(extractErrorDetails('AADSTS5520O: The continuation_token is invalid.').codes).toEqual(['AADSTS55200']);
  });

  it('lists several codes in the order they appear, each once', () => {
    const text = 'First AADSTS50076, then aadsts53003 and again AADSTS50076 after AADSTS-50126.';
    expect(extractErrorDetails(text).codes).toEqual(['AADSTS50076', 'AADSTS53003', 'AADSTS50126']);
  });

  it('reads the bare number under "Error Code" in the troubleshooting details', () => {
    expect(extractErrorDetails('Error Code: 53003\nRequest Id: x').codes).toEqual(['AADSTS53003']);
  });

  it('reads the JSON an application logged', () => {
    const json = JSON.stringify({
      error: 'invalid_request',
      error_description:
        'AADSTS55200: The continuation_token is invalid.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2025-12-10 10:15:00Z',
      error_codes: [55200],
      timestamp: '2025-12-10 10:15:00Z',
      trace_id: '0000aaaa-11bb-cccc-dd22-eeeeee333333',
      correlation_id: 'aaaa0000-bb11-2222-33cc-444444dddddd',
    });
    expect(extractErrorDetails(json)).toEqual({
      codes: ['AADSTS55200'],
      requestId: '0000aaaa-11bb-cccc-dd22-eeeeee333333',
      correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd',
      timestamp: '2025-12-10T10:15:00Z',
      truncated: false,
    });
  });

  it('does not mistake ordinary words or long numbers for codes', () => {
    expect(extractErrorDetails('AADSTS error, aadsts oops, AADSTS123456789, order 55200').codes).toEqual([]);
  });

  it('ignores an impossible timestamp rather than echo it', () => {
    expect(extractErrorDetails('Timestamp: 2025-13-45 10:11:12Z').timestamp).toBeUndefined();
  });

  it('finds nothing in a plain message and says it read everything', () => {
    expect(extractErrorDetails('I lost my phone and cannot sign in')).toEqual({ codes: [], truncated: false });
  });

  it('reads only the start of a 1 MB paste, says so, and stays quick', () => {
    const huge = `AADSTS50057 ${'a'.repeat(1_000_000)} AADSTS50126`;
    const started = performance.now();
    const details = extractErrorDetails(huge);
    expect(performance.now() - started).toBeLessThan(500);
    expect(details.truncated).toBe(true);
    expect(details.codes).toEqual(['AADSTS50057']);
  });

  it('stays quick on a worst case of near-miss labels', () => {
    const nearMisses =
      'correlation id '.repeat(MAX_EXTRACT_CHARS / 15) + 'aadsts '.repeat(3000) + 'error code: '.repeat(2000);
    const started = performance.now();
    extractErrorDetails(nearMisses);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('never throws, whatever it is given', () => {
    // Arbitrary text, mixed with the fragments the patterns look for so near-misses are common.
    const fragment = fc.oneof(
      fc.constantFrom(
        'AADSTS',
        'aadsts ',
        'AADSTS5520O',
        'Error Code: ',
        'Correlation Id: ',
        'Request Id: ',
        'Timestamp: ',
        '2025-12-10 10:11:12Z',
        '8c1d4e7a-2b3f-4a5c-9d6e-1f0a2b3c4d5e',
        '55200',
        'O',
        '\n',
      ),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    const pasted = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(pasted, (text) => extractErrorDetails(text).codes.every((code) => /^AADSTS\d{4,7}$/.test(code))),
      { numRuns: 300 },
    );
    expect(() => extractErrorDetails(undefined as unknown as string)).not.toThrow();
  });
});
