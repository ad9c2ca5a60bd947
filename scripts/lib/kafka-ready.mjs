#!/usr/bin/env node
// Waits until a Kafka broker serves metadata, then makes sure Caravan's topics exist.
// Used by scripts/infra.sh after the broker's port opens; usable on its own:
//
//   KAFKA_PORT=9092 node scripts/lib/kafka-ready.mjs
//
// Environment:
//   KAFKA_HOST (127.0.0.1), KAFKA_PORT (9092)        broker to talk to
//   KAFKA_READY_TIMEOUT_MS (60000)                    how long to wait for metadata
//   CARAVAN_KAFKA_EVENTS_TOPIC (caravan.events)
//   CARAVAN_KAFKA_DELIVERIES_TOPIC (caravan.deliveries)
//   CARAVAN_KAFKA_PARTITIONS (12)                     partitions for topics it creates
//
// Prints one summary line on success ("topics caravan.events(12) caravan.deliveries(12)"),
// exits 1 with the reason on stderr on failure.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const { Kafka, logLevel } = await import('kafkajs');

const host = process.env.KAFKA_HOST || '127.0.0.1';
const port = Number(process.env.KAFKA_PORT || 9092);
const timeoutMs = Number(process.env.KAFKA_READY_TIMEOUT_MS || 60_000);
const partitions = Number(process.env.CARAVAN_KAFKA_PARTITIONS || 12);
const topics = [
  process.env.CARAVAN_KAFKA_EVENTS_TOPIC || 'caravan.events',
  process.env.CARAVAN_KAFKA_DELIVERIES_TOPIC || 'caravan.deliveries',
].filter((t, i, all) => t && all.indexOf(t) === i);

if (!Number.isInteger(port) || port <= 0) fail(`invalid KAFKA_PORT ${process.env.KAFKA_PORT}`);
if (!Number.isInteger(partitions) || partitions <= 0) {
  fail(`invalid CARAVAN_KAFKA_PARTITIONS ${process.env.CARAVAN_KAFKA_PARTITIONS}`);
}

const deadline = Date.now() + timeoutMs;
const broker = `${host}:${port}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fail(message) {
  process.stderr.write(`kafka-ready: ${message}\n`);
  process.exit(1);
}

function describe(err) {
  if (!err) return 'unknown error';
  const cause = err.cause ? ` (cause: ${describe(err.cause)})` : '';
  return `${err.name || 'Error'}: ${err.message}${cause}`;
}

const kafka = new Kafka({
  clientId: 'caravan-infra',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 3_000,
  requestTimeout: 10_000,
  // Our own loop below does the patient retrying; keep each attempt short.
  retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
});

// Retries `fn` until it succeeds or the overall deadline passes.
async function untilDeadline(what, fn) {
  let lastError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      fail(`${what} on ${broker} did not succeed within ${timeoutMs} ms: ${describe(lastError)}`);
    }
    await sleep(Math.min(250 * attempt, 2_000));
  }
}

const admin = kafka.admin();
try {
  await untilDeadline('connect', () => admin.connect());
  const existing = new Set(await untilDeadline('listTopics', () => admin.listTopics()));

  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    await untilDeadline('createTopics', async () => {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          timeout: 30_000,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: partitions,
            replicationFactor: 1,
          })),
        });
      } catch (err) {
        // A concurrent run may have created them between listTopics and createTopics.
        if (err?.type === 'TOPIC_ALREADY_EXISTS' || err?.errors?.every?.((e) => e.type === 'TOPIC_ALREADY_EXISTS'))
          return;
        throw err;
      }
    });
  }

  // Every partition must have a leader before producers and consumers use the topics.
  const counts = await untilDeadline('topic metadata', async () => {
    const { topics: meta } = await admin.fetchTopicMetadata({ topics });
    for (const t of meta) {
      const leaderless = t.partitions.filter((p) => p.leader < 0);
      if (t.partitions.length === 0 || leaderless.length > 0) {
        throw new Error(`topic ${t.name}: ${leaderless.length}/${t.partitions.length} partitions without a leader`);
      }
    }
    return new Map(meta.map((t) => [t.name, t.partitions.length]));
  });

  for (const t of topics) {
    const n = counts.get(t);
    if (n !== partitions && !missing.includes(t)) {
      process.stderr.write(
        `kafka-ready: warning: existing topic ${t} has ${n} partitions, CARAVAN_KAFKA_PARTITIONS is ${partitions} (left as is)\n`,
      );
    }
  }
  const created = missing.length ? ` (created ${missing.join(', ')})` : '';
  process.stdout.write(`topics ${topics.map((t) => `${t}(${counts.get(t)})`).join(' ')}${created}\n`);
} finally {
  await admin.disconnect().catch(() => undefined);
}
