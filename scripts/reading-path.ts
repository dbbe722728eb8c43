/*
 * How many of the bot's source files one warm "check <upn>" and one Approve run through, from V8's
 * precise coverage of the real bot (the test harness: real HTTP, the Graph emulator, a fake Bot
 * Connector). The emulators and the harness are left out: they stand in for Microsoft. Each path is
 * also shown without the plumbing every turn runs (what a "help" message runs: server, turn, log,
 * Graph client, cards), which is what a reader follows to see the decision.
 * Usage: npx tsx scripts/reading-path.ts
 */
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { act, cast, fileRequest, openApp } from '../test/escalation-bot/helpers.js';
import { people, startHarness } from '../test/harness.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const STAND_INS = ['emulator/', 'localchat/'];

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });

/** Source files with a function that ran while `work` did (taking coverage resets V8's counters). */
async function filesRunBy(work: () => Promise<unknown>): Promise<string[]> {
  await session.post('Profiler.takePreciseCoverage');
  await work();
  const { result } = await session.post('Profiler.takePreciseCoverage');
  const files = new Set<string>();
  for (const script of result) {
    if (!script.url.startsWith('file://')) continue;
    const path = fileURLToPath(script.url);
    if (!path.startsWith(SRC)) continue;
    const file = path.slice(SRC.length);
    if (STAND_INS.some((dir) => file.startsWith(dir))) continue;
    if (script.functions.some((fn) => fn.ranges.some((range) => range.count > 0))) files.add(file);
  }
  return [...files].sort();
}

const harness = await startHarness();
try {
  await openApp(harness, cast.helen, cast.lee, cast.megan);
  await harness.say(people.agent, 'check adele.vance@contoso.com'); // warm the tenant-wide facts
  const plumbing = new Set(await filesRunBy(() => harness.say(people.agent, 'help')));
  const check = await filesRunBy(() => harness.say(people.agent, 'check adele.vance@contoso.com'));
  const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
  const approve = await filesRunBy(() => act(harness, cast.lee, 'escalation.approve', { requestId }));
  for (const [name, files] of [
    ['warm "check <upn>"', check],
    ['Approve', approve],
  ] as const) {
    const own = files.filter((file) => !plumbing.has(file));
    console.log(
      `${name}: ${files.length} source files run, ${own.length} beyond a "help" turn's\n  ${own.join('\n  ')}`,
    );
  }
} finally {
  await harness.close();
  session.disconnect();
}
