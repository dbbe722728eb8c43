import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const KEY = 'c2VjcmV0LWtleS1ub3QtdG8tYmUtc2hvd24=';
const failureOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('choosing the store', () => {
  it('without storage variables the bot keeps the embedded file store', () => {
    expect(loadConfig({}).blobStorage).toBeUndefined();
  });

  it('a connection string selects Azure Blob Storage, in the ssar-helpdesk container unless told otherwise', () => {
    const connectionString = `DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=${KEY};EndpointSuffix=core.windows.net`;
    expect(loadConfig({ STORAGE_CONNECTION_STRING: connectionString }).blobStorage).toEqual({
      container: 'ssar-helpdesk',
      connectionString,
    });
    expect(
      loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', STORAGE_CONTAINER: 'helpdesk-test' })
        .blobStorage,
    ).toEqual({
      container: 'helpdesk-test',
      connectionString: 'UseDevelopmentStorage=true',
    });
  });

  it('an account URL selects Azure Blob Storage reached with the managed identity', () => {
    expect(loadConfig({ STORAGE_ACCOUNT_URL: 'https://contoso.blob.core.windows.net/' }).blobStorage).toEqual({
      container: 'ssar-helpdesk',
      accountUrl: 'https://contoso.blob.core.windows.net',
    });
  });
});

describe('a bad storage setting stops start-up with one line that names the variable', () => {
  it('both a connection string and an account URL', () => {
    expect(
      failureOf({
        STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        STORAGE_ACCOUNT_URL: 'https://contoso.blob.core.windows.net',
      }),
    ).toBe(
      'Configuration error: STORAGE_ACCOUNT_URL cannot be combined with STORAGE_CONNECTION_STRING: set one of them',
    );
  });

  it('a connection string without an account key never shows the value', () => {
    const message = failureOf({ STORAGE_CONNECTION_STRING: `AccountName=contoso;AcountKey=${KEY}` });
    expect(message).toMatch(/^Configuration error: STORAGE_CONNECTION_STRING needs AccountName and AccountKey/);
    expect(message).not.toContain(KEY);
    expect(message).not.toContain('\n');
  });

  it('a connection string to a remote endpoint over http', () => {
    const message = failureOf({
      STORAGE_CONNECTION_STRING: `AccountName=contoso;AccountKey=${KEY};BlobEndpoint=http://contoso.example.com/`,
    });
    expect(message).toContain('must use https unless it points at a loopback emulator');
    expect(message).not.toContain(KEY);
  });

  it('an account URL that is not an https blob endpoint', () => {
    expect(failureOf({ STORAGE_ACCOUNT_URL: 'http://contoso.blob.core.windows.net' })).toContain(
      "must be the account's blob endpoint",
    );
    expect(failureOf({ STORAGE_ACCOUNT_URL: 'https://contoso.blob.core.windows.net/ssar-helpdesk' })).toContain(
      "must be the account's blob endpoint",
    );
  });

  it('an account URL carrying a SAS token, without repeating it', () => {
    const message = failureOf({ STORAGE_ACCOUNT_URL: 'https://contoso.blob.core.windows.net/?sv=2024&sig=abcdef' });
    expect(message).toContain('must not carry a SAS token');
    expect(message).not.toContain('sig=');
  });

  it('a container name Azure would refuse', () => {
    expect(
      failureOf({ STORAGE_ACCOUNT_URL: 'https://contoso.blob.core.windows.net', STORAGE_CONTAINER: 'SSAR_Helpdesk' }),
    ).toBe(
      'Configuration error: STORAGE_CONTAINER must be 3-63 lower-case letters, digits and single hyphens (got "SSAR_Helpdesk")',
    );
  });

  it('a container without a store to put it in', () => {
    expect(failureOf({ STORAGE_CONTAINER: 'ssar-helpdesk' })).toContain(
      'STORAGE_CONTAINER needs STORAGE_ACCOUNT_URL or STORAGE_CONNECTION_STRING',
    );
  });
});
