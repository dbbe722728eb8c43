import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { SUPPORTED_NODE_LINES, unsupportedRuntimeWarning } from '../../src/runtime.js';
import { startedOutput } from './start-process.js';

/** `npm start` as if on Node `version`. */
const startOn = (version: string) =>
  startedOutput({ PRETEND_NODE_VERSION: version }, ['--import', './test/fixtures/pretend-node.mjs']);

describe('the Node.js runtime', () => {
  // Starting the real entry point through tsx takes seconds on a busy machine.
  it('on an end-of-life Node the bot still starts and says once, in one line, which versions are supported', {
    timeout: 60_000,
  }, async () => {
    const output = await startOn('20.20.2');
    const warnings = output.split('\n').filter((line) => line.startsWith('Unsupported runtime'));
    expect(warnings).toEqual([
      'Unsupported runtime: Node.js 20.20.2 is not a supported LTS line; ssar-helpdesk supports Node.js 22, 24, 26 (deployed on 24). Starting anyway.',
    ]);
    expect(output.indexOf('Unsupported runtime')).toBeLessThan(output.indexOf('ssar-helpdesk is running'));
  });

  it('on a supported LTS line it says nothing about the runtime', { timeout: 60_000 }, async () => {
    const output = await startOn('24.22.3');
    expect(output).toContain('ssar-helpdesk is running');
    expect(output).not.toContain('Unsupported runtime');
  });

  it('the supported lines are the LTS lines package.json promises', () => {
    expect(packageJson.engines.node).toBe(SUPPORTED_NODE_LINES.map((line) => `^${line}`).join(' || '));
    for (const line of SUPPORTED_NODE_LINES) expect(unsupportedRuntimeWarning(`${line}.0.0`)).toBeUndefined();
    for (const version of ['18.20.0', '20.20.2', '21.7.0', '23.1.0', '25.0.0'])
      expect(unsupportedRuntimeWarning(version)).toMatch(/^Unsupported runtime/);
  });
});
