#!/usr/bin/env node
// Ensures a demo project exists on the local api and prints its id and key with a first
// request to try. Reuses the one recorded in $STATE/demo-project.json while its key works.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const api = process.env.CARAVAN_API_URL ?? 'http://127.0.0.1:5005';
const adminKey = process.env.CARAVAN_ADMIN_API_KEY;
const stateFile = join(process.env.CARAVAN_STATE_DIR, 'demo-project.json');

async function call(method, path, key, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => ({})) };
}

let demo = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : null;
if (demo && (await call('GET', `/api/v1/projects/${demo.projectId}`, demo.apiKey)).status !== 200) demo = null;
if (!demo) {
  const created = await call('POST', '/api/v1/projects', adminKey, { name: 'Demo', type: 'outgoing' });
  if (created.status !== 201) {
    console.error(`demo: could not create the demo project: ${created.status} ${JSON.stringify(created.body)}`);
    process.exit(1);
  }
  demo = { projectId: created.body.data.project.uid, apiKey: created.body.data.api_key.key };
  writeFileSync(stateFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
}

console.log(`
Demo project: ${demo.projectId}
Project API key: ${demo.apiKey}
Instance admin key: in ${join(process.env.CARAVAN_STATE_DIR, 'admin-key')}

Try it:
  curl -s -H "Authorization: Bearer ${demo.apiKey}" ${api}/api/v1/projects/${demo.projectId}
API reference: ${api}/api/v1/docs`);
