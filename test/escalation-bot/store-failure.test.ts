import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeName } from '../../src/storage/file-store.js';
import { type Harness, startHarness } from '../harness.js';
import { cast, fileRequest, openApp } from './helpers.js';

describe('when the audit trail cannot be written', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan);
    // A directory where the audit log file should be: every append fails.
    await mkdir(join(harness.dataDir, `${encodeName('audit')}.jsonl`), { recursive: true });
  });
  afterAll(() => harness.close());

  it('no request is left behind without its audit entry, and the agent is told nothing was saved', async () => {
    const { text } = await fileRequest(harness, cast.helen, cast.adele);
    expect(text).toMatch(/could not save|nothing was changed/i);
    const requests = await harness.bot.escalations.recent(harness.tenantId);
    expect(requests).toEqual([]);
  });
});
