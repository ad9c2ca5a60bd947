#!/usr/bin/env node
// Waits until an SQS endpoint (ElasticMQ) answers the SQS API: a ListQueues call that
// succeeds. Used by scripts/infra.sh after ElasticMQ's port opens; usable on its own:
//
//   SQS_PORT=9324 node scripts/lib/sqs-ready.mjs
//
// Environment:
//   SQS_HOST (127.0.0.1), SQS_PORT (9324)    endpoint http://HOST:PORT
//   SQS_READY_TIMEOUT_MS (30000)             how long to keep trying
//
// Dummy credentials and region us-east-1: ElasticMQ checks neither.
// Prints one summary line on success ("SQS API ok, 0 queues"), exits 1 with the
// reason on stderr on failure.
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';

const host = process.env.SQS_HOST || '127.0.0.1';
const port = Number(process.env.SQS_PORT || 9324);
const timeoutMs = Number(process.env.SQS_READY_TIMEOUT_MS || 30_000);

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`invalid SQS_PORT ${process.env.SQS_PORT}`);
  process.exit(1);
}

const endpoint = `http://${host}:${port}`;
const client = new SQSClient({
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'caravan', secretAccessKey: 'caravan' },
  maxAttempts: 1,
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const deadline = Date.now() + timeoutMs;

let lastError;
while (Date.now() < deadline) {
  try {
    const out = await client.send(new ListQueuesCommand({}), {
      abortSignal: AbortSignal.timeout(5_000),
    });
    const n = out.QueueUrls?.length ?? 0;
    console.log(`SQS API ok, ${n} queue${n === 1 ? '' : 's'}`);
    client.destroy();
    process.exit(0);
  } catch (err) {
    lastError = err;
    await sleep(250);
  }
}
client.destroy();
console.error(
  `SQS API at ${endpoint} did not answer ListQueues within ${timeoutMs} ms: ${lastError?.name ?? ''} ${lastError?.message ?? lastError}`,
);
process.exit(1);
