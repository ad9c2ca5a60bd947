import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { call, projectPath } from '../lib/api';
import { useChange, usePagedList } from '../lib/hooks';
import { Copy, ErrorState, Field, Pager, QueryState } from '../components/ui';

interface Source {
  uid: string;
  name: string;
  type: string;
  provider: string;
  url: string;
  is_disabled: boolean;
  verifier: { type: string };
  pub_sub?: { type: string } | null;
}

/** A starting point per broker; the api names any field left wrong. */
const BROKER_TEMPLATES: Record<string, unknown> = {
  sqs: { access_key_id: '', secret_key: '', default_region: 'eu-west-1', queue_name: '', endpoint: '' },
  google: { project_id: '', subscription_id: '', service_account: '' },
  kafka: { brokers: ['127.0.0.1:9092'], topic_name: '', consumer_group_id: '' },
  amqp: { schema: 'amqp', host: '127.0.0.1', port: '5672', queue: '', vhost: '/' },
};

const VERIFIER_TEMPLATES: Record<string, unknown> = {
  noop: {},
  hmac: { header: 'X-Signature', hash: 'SHA256', encoding: 'hex', secret: '' },
  basic_auth: { username: '', password: '' },
  api_key: { header_name: 'X-Api-Key', header_value: '' },
};

export function Sources() {
  const { projectId = '' } = useParams();
  const { query, setPage } = usePagedList<Source>(projectId, 'sources');
  const base = projectPath(projectId, '/sources');
  const [name, setName] = useState('');
  const [type, setType] = useState('http');
  const [provider, setProvider] = useState('');
  const [verifier, setVerifier] = useState('noop');
  const [settings, setSettings] = useState('{}');
  const [broker, setBroker] = useState('sqs');
  const [jsonError, setJsonError] = useState('');
  const create = useChange(projectId, (body: unknown) => call('POST', base, { body }));
  const toggle = useChange(projectId, (source: Source) =>
    call('PUT', `${base}/${source.uid}`, { body: { is_disabled: !source.is_disabled } }),
  );

  function pick(kind: 'verifier' | 'broker', value: string) {
    if (kind === 'verifier') setVerifier(value);
    else setBroker(value);
    const template = kind === 'verifier' ? VERIFIER_TEMPLATES[value] : BROKER_TEMPLATES[value];
    setSettings(JSON.stringify(template, null, 2));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(settings || '{}');
      setJsonError('');
    } catch (error) {
      setJsonError(`settings: not valid JSON (${(error as Error).message})`);
      return;
    }
    const body =
      type === 'http'
        ? provider
          ? { name, type, provider, verifier: { type: 'hmac', hmac: parsed } }
          : { name, type, verifier: { type: verifier, ...(verifier === 'noop' ? {} : { [verifier]: parsed }) } }
        : { name, type: 'pub_sub', pub_sub: { type: broker, workers: 1, [broker]: parsed } };
    create.mutate(body, { onSuccess: () => setName('') });
  }

  return (
    <section>
      <h1>Sources</h1>
      <QueryState query={query} isEmpty={(page) => page.content.length === 0} empty="No sources yet.">
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Ingest URL</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.content.map((source) => (
                  <tr key={source.uid}>
                    <td>{source.name}</td>
                    <td>
                      {source.type}
                      {source.provider ? ` (${source.provider})` : ''}
                      {source.pub_sub?.type ? ` (${source.pub_sub.type})` : ''}
                    </td>
                    <td className="wrap">
                      {source.url ? (
                        <>
                          <code>{source.url}</code>{' '}
                          <Copy text={source.url} label={`Copy the ingest URL of ${source.name}`} />
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>{source.is_disabled ? 'disabled' : 'enabled'}</td>
                    <td>
                      <button type="button" className="small" onClick={() => toggle.mutate(source)}>
                        {source.is_disabled ? 'Enable' : 'Disable'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager pagination={page.pagination} onPage={setPage} />
          </>
        )}
      </QueryState>
      {toggle.error ? <ErrorState error={toggle.error} /> : null}
      <form className="card" onSubmit={submit} aria-label="Create a source">
        <h2>New source</h2>
        <Field label="Source name">
          {(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Source type">
          {(id) => (
            <select
              id={id}
              value={type}
              onChange={(e) => {
                setType(e.target.value);
                pick(e.target.value === 'http' ? 'verifier' : 'broker', e.target.value === 'http' ? 'noop' : 'sqs');
              }}
            >
              <option value="http">http (webhooks in)</option>
              <option value="pub_sub">pub_sub (a broker)</option>
            </select>
          )}
        </Field>
        {type === 'http' ? (
          <>
            <Field label="Provider preset" hint="GitHub, Shopify and Twitter verify with their own signature scheme">
              {(id) => (
                <select
                  id={id}
                  value={provider}
                  onChange={(e) => {
                    setProvider(e.target.value);
                    setSettings(
                      JSON.stringify(e.target.value ? { secret: '' } : VERIFIER_TEMPLATES[verifier], null, 2),
                    );
                  }}
                >
                  <option value="">none</option>
                  <option value="github">GitHub</option>
                  <option value="shopify">Shopify</option>
                  <option value="twitter">Twitter</option>
                </select>
              )}
            </Field>
            {!provider && (
              <Field label="Verifier">
                {(id) => (
                  <select id={id} value={verifier} onChange={(e) => pick('verifier', e.target.value)}>
                    {Object.keys(VERIFIER_TEMPLATES).map((kind) => (
                      <option key={kind} value={kind}>
                        {kind}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )}
          </>
        ) : (
          <Field label="Broker">
            {(id) => (
              <select id={id} value={broker} onChange={(e) => pick('broker', e.target.value)}>
                {Object.keys(BROKER_TEMPLATES).map((kind) => (
                  <option key={kind} value={kind}>
                    {kind}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="Settings (JSON)">
          {(id) => (
            <textarea
              id={id}
              rows={6}
              spellCheck={false}
              value={settings}
              onChange={(e) => setSettings(e.target.value)}
            />
          )}
        </Field>
        {jsonError && <p className="error">{jsonError}</p>}
        {create.error ? <ErrorState error={create.error} /> : null}
        <button type="submit" disabled={create.isPending}>
          Create source
        </button>
      </form>
    </section>
  );
}
