#!/usr/bin/env node
// Waits until a Pub/Sub emulator answers the Pub/Sub API: listing the topics of the
// project with @google-cloud/pubsub (PUBSUB_EMULATOR_HOST pointing at it). Used by
// scripts/infra.sh after the emulator's port opens; usable on its own:
//
//   PUBSUB_EMULATOR_HOST=127.0.0.1:8085 node scripts/lib/pubsub-ready.mjs
//
// Environment:
//   PUBSUB_EMULATOR_HOST (127.0.0.1:8085)      emulator to talk to
//   PUBSUB_PROJECT_ID (caravan-local)          project whose topics are listed
//   PUBSUB_READY_TIMEOUT_MS (30000)            how long to keep trying
//
// Prints one summary line on success ("Pub/Sub API ok, project caravan-local, 0 topics"),
// exits 1 with the reason on stderr on failure.
process.env.PUBSUB_EMULATOR_HOST ||= '127.0.0.1:8085';
// No Google Compute Engine metadata server here: without this, google-auth-library probes
// for one and prints a MetadataLookupWarning (ENOTFOUND) even in emulator mode.
process.env.METADATA_SERVER_DETECTION ||= 'none';
const emulator = process.env.PUBSUB_EMULATOR_HOST;
const projectId = process.env.PUBSUB_PROJECT_ID || 'caravan-local';
const timeoutMs = Number(process.env.PUBSUB_READY_TIMEOUT_MS || 30_000);

const { PubSub } = await import('@google-cloud/pubsub');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const withTimeout = (p, ms) =>
  Promise.race([
    p,
    sleep(ms).then(() => {
      throw new Error(`no answer within ${ms} ms`);
    }),
  ]);
const deadline = Date.now() + timeoutMs;

let lastError;
while (Date.now() < deadline) {
  const pubsub = new PubSub({ projectId });
  try {
    const [topics] = await withTimeout(pubsub.getTopics({ autoPaginate: true }), 5_000);
    const n = topics.length;
    console.log(`Pub/Sub API ok, project ${projectId}, ${n} topic${n === 1 ? '' : 's'}`);
    await pubsub.close().catch(() => undefined);
    process.exit(0);
  } catch (err) {
    lastError = err;
    await pubsub.close().catch(() => undefined);
    await sleep(250);
  }
}
console.error(
  `Pub/Sub emulator at ${emulator} did not list topics of ${projectId} within ${timeoutMs} ms: ${lastError?.message ?? lastError}`,
);
process.exit(1);
