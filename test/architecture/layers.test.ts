import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules live in biome.json (noRestrictedImports per folder) and `npm test` runs `biome ci`
 * over the tree. Here each rule is shown to fire: a probe file that crosses a layer is linted where
 * it would live, under the project's biome.json in a scratch copy of the tree, and must fail with
 * the rule's message; one that keeps to its layer must pass. A probe may take the name of a real
 * file, to show that file has no exception.
 */
const root = join(import.meta.dirname, '../..');
const biome = join(root, 'node_modules/.bin/biome');

async function lint(path: string, source: string): Promise<{ ok: boolean; output: string }> {
  const scratch = await mkdtemp(join(tmpdir(), 'layer-probe-'));
  try {
    await copyFile(join(root, 'biome.json'), join(scratch, 'biome.json'));
    await mkdir(dirname(join(scratch, path)), { recursive: true });
    await writeFile(join(scratch, path), source);
    await promisify(execFile)(
      biome,
      ['lint', '--colors=off', '--diagnostic-level=error', '--vcs-enabled=false', path],
      { cwd: scratch },
    );
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return { ok: false, output: `${stdout}${stderr}` };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A probe's path: the file named, or a new file in the folder. */
const probePath = (place: string) => (place.endsWith('.ts') ? place : `${place}/layer-probe.ts`);

describe('the layer rules, checked by biome in npm test', () => {
  it.each([
    ['src/escalation', "import { Graph } from '../directory/graph.js';", 'the core'],
    ['src/eligibility', "import { COLLECTIONS } from '../storage/collections.js';", 'the core'],
    ['src/diagnosis', "import { EscalationService } from '../app/escalations.js';", 'the core'],
    ['src/eligibility', "import { ConfigError } from '../config/env.js';", 'the core'],
    ['src/app/escalation', "import { keys } from '../../storage/collections.js';", 'an escalation use case'],
    ['src/app/escalation', "import { Graph } from '../../directory/graph.js';", 'an escalation use case'],
    ['src/app', "import { CardTemplates } from '../teams/cards.js';", 'never an adapter, the Teams layer'],
    ['src/app', "import { Graph } from '../directory/graph.js';", 'a use case imports the core and its ports'],
    [
      'src/app',
      "import { COLLECTIONS } from '../storage/collections.js';",
      'a use case imports the core and its ports',
    ],
    ['src/directory', "import { CardTemplates } from '../teams/cards.js';", 'an adapter never imports the Teams layer'],
    ['src/storage', "import { EscalationService } from '../app/escalations.js';", 'an adapter never imports'],
    ['src/teams', "import { startBot } from '../compose.js';", 'only the entry points'],
    [
      'src/app/verify-caller.ts',
      "import { VerificationSessions } from '../verification/sessions.js';",
      'a use case imports the core and its ports',
    ],
    ['src/caller-verification', "import { Graph } from '../directory/graph.js';", 'the core'],
    ['src/caller-verification/rules.ts', "import type { VerificationConfig } from '../config.js';", 'the core'],
    ['src/app/ports.ts', "import { VerificationSessions } from '../verification/sessions.js';", 'the ports name'],
  ])('in %s, `%s` fails: %s', async (place, line, rule) => {
    const { ok, output } = await lint(probePath(place), `${line}\n\nexport const probe = 1;\n`);
    expect(ok).toBe(false);
    expect(output).toContain('lint/style/noRestrictedImports');
    expect(output).toContain(rule);
  });

  it.each([
    ['src/escalation', "import { samePerson } from './state-machine.js';"],
    ['src/app/escalation', "import { isRefusal } from '../../escalation/refusal.js';"],
    ['src/directory', "import { isRefusal } from '../escalation/refusal.js';"],
    ['src/app/verify-caller.ts', "import { judgeCallback } from '../caller-verification/rules.js';"],
    ['src/caller-verification', "import { isRefusal } from '../escalation/refusal.js';"],
  ])('in %s, `%s` passes', async (place, line) => {
    const { ok, output } = await lint(
      probePath(place),
      `${line}\n\nexport const probe = [${line.match(/\{ (\w+) \}/)?.[1]}];\n`,
    );
    expect(output).toBe('');
    expect(ok).toBe(true);
  });
});
