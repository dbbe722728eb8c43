import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules live in biome.json (noRestrictedImports per folder) and `npm test` runs `biome ci`
 * over the tree. Here each rule is shown to fire: a probe file that crosses a layer is linted in
 * place and must fail with the rule's message; one that keeps to its layer must pass.
 */
const root = join(import.meta.dirname, '../..');
const biome = join(root, 'node_modules/.bin/biome');

async function lint(folder: string, source: string): Promise<{ ok: boolean; output: string }> {
  const file = join(root, folder, `layer-probe-${randomUUID()}.ts`);
  await writeFile(file, source);
  try {
    await promisify(execFile)(biome, ['lint', '--colors=off', '--diagnostic-level=error', file], { cwd: root });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return { ok: false, output: `${stdout}${stderr}` };
  } finally {
    await rm(file, { force: true });
  }
}

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
  ])('in %s, `%s` fails: %s', async (folder, line, rule) => {
    const { ok, output } = await lint(folder, `${line}\n\nexport const probe = 1;\n`);
    expect(ok).toBe(false);
    expect(output).toContain('lint/style/noRestrictedImports');
    expect(output).toContain(rule);
  });

  it.each([
    ['src/escalation', "import { samePerson } from './state-machine.js';"],
    ['src/app/escalation', "import { isRefusal } from '../../escalation/refusal.js';"],
    ['src/directory', "import { isRefusal } from '../escalation/refusal.js';"],
  ])('in %s, `%s` passes', async (folder, line) => {
    const { ok, output } = await lint(folder, `${line}\n\nexport const probe = [${line.match(/\{ (\w+) \}/)?.[1]}];\n`);
    expect(output).toBe('');
    expect(ok).toBe(true);
  });
});
