import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * vitest globalSetup: Azurite's blob service, on loopback, on a free port, with a throwaway
 * location, for every test that needs a real Azure Storage API (`inject('azurite')`). Stopped when
 * the run ends.
 */

export interface AzuriteBlob {
  connectionString: string;
  /** Where Azurite keeps its data on disk: leak scans read every stored byte from here. */
  location: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    azurite: AzuriteBlob;
  }
}

/** Azurite's documented development account; the key is public and works nowhere else. */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const START_TIMEOUT_MS = 20_000;

export const azuriteConnectionString = (blobEndpoint: string) =>
  `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${blobEndpoint}/${DEV_ACCOUNT};`;

export default async function startAzurite(project: TestProject): Promise<() => Promise<void>> {
  const location = await mkdtemp(join(tmpdir(), 'ssar-azurite-'));
  const bin = new URL('../node_modules/.bin/azurite-blob', import.meta.url).pathname;
  // Port 0: Azurite picks a free port and prints it. Started with node, not npx, so it stops with its process.
  const azurite = spawn(
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--location',
      location,
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--silent',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => azurite.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`Azurite did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    };
    azurite.stdout.on('data', onData);
    azurite.stderr.on('data', onData);
    azurite.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code}) before it listened:\n${output}`));
    });
  });
  project.provide('azurite', { connectionString: azuriteConnectionString(endpoint), location });

  return async () => {
    azurite.kill('SIGTERM');
    await exited;
    await rm(location, { recursive: true, force: true });
  };
}
