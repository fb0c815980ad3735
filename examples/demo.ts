// `npm run demo`: HyperStream's workflow tutorial (tutorial 5) end to end, kept in a SQLite file:
// this process computes it, then a second process opens the same file, finds every result there and
// computes nothing. Run: npx tsx examples/demo.ts
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Engine, TimeInterval, ToolChannel } from '../src/index.js';
import { createSqliteBackend } from '../src/sqlite.js';
import { TOOLS } from './tutorial-01.js';
import { TUTORIAL5_INTERVAL, createPlates, buildTutorial5 } from './tutorial-05.js';

const DATABASE = fileURLToPath(new URL('../.hyperstream/demo.db', import.meta.url));

async function open(): Promise<Engine> {
  return await Engine.create({
    storage: await createSqliteBackend(DATABASE),
    tools: new ToolChannel({ path: TOOLS }),
  });
}

/** The first process: a fresh database, the tutorial computed and its workflow stored. */
async function first(): Promise<void> {
  await rm(DATABASE, { force: true });
  await rm(`${DATABASE}-wal`, { force: true });
  await rm(`${DATABASE}-shm`, { force: true });
  const engine = await open();
  try {
    await createPlates(engine);
    const workflow = await buildTutorial5(engine);
    const session = await workflow.execute(TUTORIAL5_INTERVAL);
    await engine.workflows.commit(workflow.id);
    console.log(
      `process ${process.pid}: workflow ${workflow.id} over ${TUTORIAL5_INTERVAL.toString()}`,
    );
    for (const f of workflow.topologicalOrder()) {
      const total = session.factors.find((s) => s.factor === f.id);
      console.log(
        `  ${f.id.padEnd(44)} ${String(total?.pieces ?? 0).padStart(3)} pieces ${String(total?.documents ?? 0).padStart(5)} documents`,
      );
    }
    console.log(`stored in ${DATABASE} (session ${session.id})\n`);
  } finally {
    await engine.close();
  }
}

/** The second process: the same file, the workflow loaded from it, nothing left to compute. */
async function second(): Promise<void> {
  const engine = await open();
  try {
    const workflow = await engine.workflows.load('tutorial_05');
    const again = await workflow.execute(TUTORIAL5_INTERVAL);
    console.log(
      `process ${process.pid}: loaded workflow ${workflow.id} from the database; executing it again computes ${again.pieces.length} pieces`,
    );
    const channel = engine.channels.get(engine.environment.defaultChannel);
    const january = TimeInterval.of('2006-12-31T00:00:00Z', '2007-01-31T00:00:00Z');
    for (const name of ['country_avg_temp', 'world_avg_temp']) {
      console.log(`${name} in 2007-01, read from the file:`);
      for (const stream of await channel.findStreams({ name })) {
        for await (const item of channel.getResults(stream.id, january))
          console.log(`  ${stream.id.toString()}: ${String(item.value)}`);
      }
    }
    const sessions = await engine.sessions.list({ workflow: workflow.id });
    console.log(
      `sessions of ${workflow.id}: ${sessions.map((s) => `${s.status} (${s.pieces.length} pieces)`).join(', ')}`,
    );
  } finally {
    await engine.close();
  }
}

if (process.argv.includes('--second')) {
  await second();
} else {
  await first();
  // A new process, sharing nothing with this one but the file.
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--second'],
    { stdio: 'inherit' },
  );
  process.exitCode = child.status ?? 1;
}
