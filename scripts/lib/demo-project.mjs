#!/usr/bin/env node
// Ensures a demo project exists on the local api and prints its id and key with a walk-through
// to paste: an endpoint on the demo receiver, a signed delivery, then one that is retried.
// Reuses the project recorded in $STATE/demo-project.json while its key works.
// test/infra/up-walk-through.spec.ts runs the printed commands exactly as printed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const api = process.env.CARAVAN_API_URL ?? 'http://127.0.0.1:5005';
const receiver = process.env.CARAVAN_DEMO_RECEIVER_URL ?? 'http://127.0.0.1:5008';
const receiverLog = process.env.CARAVAN_DEMO_RECEIVER_LOG;
const receiverSecret = process.env.CARAVAN_DEMO_RECEIVER_SECRET;
const adminKey = process.env.CARAVAN_ADMIN_API_KEY;
const stateFile = join(process.env.CARAVAN_STATE_DIR, 'demo-project.json');
// Short retries so the walk-through shows them within seconds (the default waits 10 s between tries).
const config = { strategy: { type: 'linear', duration: 2, retry_count: 5 } };

async function call(method, path, key, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => ({})) };
}

function fail(what, result) {
  console.error(`demo: could not ${what}: ${result.status} ${JSON.stringify(result.body)}`);
  process.exit(1);
}

let demo = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : null;
if (demo && (await call('GET', `/api/v1/projects/${demo.projectId}`, demo.apiKey)).status !== 200) demo = null;
if (demo) {
  const updated = await call('PUT', `/api/v1/projects/${demo.projectId}`, demo.apiKey, { name: 'Demo', config });
  if (updated.status !== 202 && updated.status !== 200) fail('set the demo project’s retry strategy', updated);
} else {
  const created = await call('POST', '/api/v1/projects', adminKey, { name: 'Demo', type: 'outgoing', config });
  if (created.status !== 201) fail('create the demo project', created);
  demo = { projectId: created.body.data.project.uid, apiKey: created.body.data.api_key.key };
  writeFileSync(stateFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
}

const project = `${api}/api/v1/projects/${demo.projectId}`;
const endpointBody = (name, path) => `'${JSON.stringify({ name, url: `${receiver}${path}`, secret: receiverSecret })}'`;
const eventBody = (variable, type, data) =>
  `'{"endpoint_id":"'"$${variable}"'","event_type":"${type}","data":${JSON.stringify(data)}}'`;
const showDelivery = (event, delivery) =>
  `${delivery}=$(caravan "$CARAVAN_PROJECT/eventdeliveries?eventId=$${event}" | jq -r '.data.content[0].uid'); ` +
  `caravan "$CARAVAN_PROJECT/eventdeliveries/$${delivery}" | jq -c '.data | {status, attempts: .metadata.num_trials, description}'; ` +
  `caravan "$CARAVAN_PROJECT/eventdeliveries/$${delivery}/deliveryattempts" | jq -c '.data[] | {http_status, error, created_at}'`;

// Each line below "Try it" is a command or a comment; nothing else, so a test can run them.
console.log(`
Demo project: ${demo.projectId}
Project API key: ${demo.apiKey}
Instance admin key: in ${join(process.env.CARAVAN_STATE_DIR, 'admin-key')}
API reference: ${api}/api/v1/docs
Dashboard: sign in with the project API key above (or the instance admin key) at ${api}/

Try it: paste these lines into bash, one at a time (they use curl and jq).
  export CARAVAN_PROJECT=${project} CARAVAN_KEY=${demo.apiKey}
  caravan() { curl -sS -H "Authorization: Bearer $CARAVAN_KEY" -H 'Content-Type: application/json' "$@"; }
  # 1. An endpoint on the demo receiver, which checks each signature with this secret:
  ENDPOINT=$(caravan "$CARAVAN_PROJECT/endpoints" -d ${endpointBody('demo receiver', '/orders')} | jq -r .data.uid); echo "endpoint: $ENDPOINT"
  # 2. An event for it:
  EVENT=$(caravan "$CARAVAN_PROJECT/events" -d ${eventBody('ENDPOINT', 'order.created', { order: 42, total: '9.90' })} | jq -r .data.uid); echo "event: $EVENT"
  # 3. Its delivery and the attempt that made it (run it again while the status is not Success):
  ${showDelivery('EVENT', 'DELIVERY')}
  # 4. What the receiver printed: event type, id, "signature: valid" and the body:
  tail -n 8 ${receiverLog}
  # 5. An endpoint that answers 500 twice per event before 200 (?fail=2), and an event for it:
  FLAKY=$(caravan "$CARAVAN_PROJECT/endpoints" -d ${endpointBody('flaky receiver', '/flaky?fail=2')} | jq -r .data.uid); echo "endpoint: $FLAKY"
  RETRIED=$(caravan "$CARAVAN_PROJECT/events" -d ${eventBody('FLAKY', 'order.paid', { order: 42 })} | jq -r .data.uid); echo "event: $RETRIED"
  # 6. The retries: two attempts answered 500, the third 200; this project retries every 2 s (run it again until Success):
  ${showDelivery('RETRIED', 'RETRIED_DELIVERY')}
  # The receiver also takes ?status=410 (the endpoint gets disabled) and ?slow=2000 (a slow answer).`);
