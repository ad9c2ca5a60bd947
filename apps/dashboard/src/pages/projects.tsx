import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call, projectPath } from '../lib/api';
import { useChange } from '../lib/hooks';
import {
  META_EVENT_TYPES,
  type ProjectConfig,
  RETRY_STRATEGIES,
  type SettingsForm,
  SIGNATURE_ENCODINGS,
  SIGNATURE_HASHES,
  toProjectUpdate,
  toSettingsForm,
} from '../lib/project-settings';
import { DataTable } from '../components/data-table';
import { CheckboxField, Form, NumberField, SelectField, TextField } from '../components/form';
import { QueryState, RowButton, Time } from '../components/ui';

interface Project {
  uid: string;
  name: string;
  type: string;
  config: ProjectConfig;
  created_at: string;
}

interface ApiKey {
  uid: string;
  name: string;
  key: string;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export function Projects() {
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => call<Project[]>('GET', '/api/v1/projects') });
  const [name, setName] = useState('');
  const [type, setType] = useState('outgoing');
  const [created, setCreated] = useState<{ key: string; project: string } | null>(null);
  const create = useChange('projects', (body: { name: string; type: string }) =>
    call<{ project: Project; api_key: { key: string } }>('POST', '/api/v1/projects', { body }),
  );

  return (
    <section>
      <h1>Projects</h1>
      <DataTable
        query={projects}
        rowKey={(project) => project.uid}
        empty="No projects yet: create the first one."
        columns={[
          { header: 'Name', cell: (project) => <Link to={`/projects/${project.uid}`}>{project.name}</Link> },
          { header: 'Type', cell: (project) => project.type },
          { header: 'Created', cell: (project) => <Time value={project.created_at} /> },
        ]}
      />
      <Form
        label="Create a project"
        title="Create a project"
        submit="Create"
        busy={create.isPending}
        error={create.error}
        onSubmit={() =>
          create.mutate(
            { name, type },
            {
              onSuccess: (data) => {
                setCreated({ key: data.api_key.key, project: data.project.name });
                setName('');
                void projects.refetch();
              },
            },
          )
        }
      >
        <p className="hint">Needs the instance admin key.</p>
        <TextField label="Project name" name="name" required value={name} onChange={setName} />
        <SelectField label="Type" name="type" value={type} onChange={setType} options={['outgoing', 'incoming']} />
        {created && (
          <p className="secret-once" role="status">
            Project {created.project} created. Its API key, shown once: <code>{created.key}</code>
          </p>
        )}
      </Form>
    </section>
  );
}

/** The project's settings as a form (the api validates; its messages show at their fields). */
function SettingsEditor({ projectId, project }: { projectId: string; project: Project }) {
  const [form, setForm] = useState<SettingsForm>(() => toSettingsForm(project.name, project.config));
  const save = useChange(projectId, (body: unknown) => call('PUT', projectPath(projectId), { body }));
  const set =
    <K extends keyof SettingsForm>(key: K) =>
    (value: SettingsForm[K]) => {
      save.reset();
      setForm((current) => ({ ...current, [key]: value }));
    };
  const setVersion = (index: number, change: Partial<SettingsForm['signatureVersions'][number]>) =>
    set('signatureVersions')(
      form.signatureVersions.map((version, at) => (at === index ? { ...version, ...change } : version)),
    );

  return (
    <Form
      label="Project settings"
      submit="Save settings"
      busy={save.isPending}
      error={save.error}
      done={save.isSuccess ? 'Saved.' : null}
      onSubmit={() => save.mutate(toProjectUpdate(form))}
    >
      <TextField label="Project name" name="name" required value={form.name} onChange={set('name')} />
      <fieldset>
        <legend>Retry strategy</legend>
        <SelectField
          label="Strategy"
          name="config.strategy.type"
          value={form.strategyType}
          onChange={set('strategyType')}
          options={RETRY_STRATEGIES}
        />
        <NumberField
          label="Retry interval (seconds)"
          hint="Linear: the wait between attempts; exponential: the first wait, doubled each time"
          name="config.strategy.duration"
          min={1}
          value={form.strategyDuration}
          onChange={set('strategyDuration')}
        />
        <NumberField
          label="Attempts (retry count)"
          hint="Every attempt counts, the first included"
          name="config.strategy.retry_count"
          min={1}
          value={form.retryCount}
          onChange={set('retryCount')}
        />
      </fieldset>
      <fieldset>
        <legend>Signature</legend>
        <TextField
          label="Signature header"
          name="config.signature.header"
          value={form.signatureHeader}
          onChange={set('signatureHeader')}
        />
        {form.signatureVersions.map((version, index) => (
          <div className="row" key={index}>
            <SelectField
              label={`Version ${index + 1} hash`}
              name={`config.signature.versions[${index}].hash`}
              value={version.hash}
              onChange={(hash) => setVersion(index, { hash })}
              options={SIGNATURE_HASHES}
            />
            <SelectField
              label={`Version ${index + 1} encoding`}
              name={`config.signature.versions[${index}].encoding`}
              value={version.encoding}
              onChange={(encoding) => setVersion(index, { encoding })}
              options={SIGNATURE_ENCODINGS}
            />
            {form.signatureVersions.length > 1 && (
              <button
                type="button"
                className="small"
                onClick={() => set('signatureVersions')(form.signatureVersions.filter((_, at) => at !== index))}
              >
                Remove version {index + 1}
              </button>
            )}
          </div>
        ))}
        <button
          type="button"
          className="small"
          onClick={() => set('signatureVersions')([...form.signatureVersions, { hash: 'SHA256', encoding: 'hex' }])}
        >
          Add a signature version
        </button>
      </fieldset>
      <fieldset>
        <legend>Rate limit (per endpoint)</legend>
        <NumberField
          label="Requests per window"
          hint="0: unlimited"
          name="config.ratelimit.count"
          min={0}
          value={form.rateLimitCount}
          onChange={set('rateLimitCount')}
        />
        <NumberField
          label="Window (seconds)"
          name="config.ratelimit.duration"
          min={1}
          value={form.rateLimitDuration}
          onChange={set('rateLimitDuration')}
        />
      </fieldset>
      <fieldset>
        <legend>Endpoints</legend>
        <CheckboxField
          label="Disable an endpoint whose circuit breaker keeps tripping"
          name="config.disable_endpoint"
          checked={form.disableEndpoint}
          onChange={set('disableEndpoint')}
        />
        <CheckboxField
          label="Only https endpoints"
          name="config.ssl.enforce_secure_endpoints"
          checked={form.enforceSecureEndpoints}
          onChange={set('enforceSecureEndpoints')}
        />
      </fieldset>
      <fieldset>
        <legend>Meta events</legend>
        <CheckboxField
          label="Send meta events"
          name="config.meta_event.is_enabled"
          checked={form.metaEnabled}
          onChange={set('metaEnabled')}
        />
        <SelectField
          label="Meta event transport"
          name="config.meta_event.type"
          value={form.metaType}
          onChange={set('metaType')}
          options={['http']}
        />
        <TextField
          label="Meta event URL"
          type="url"
          name="config.meta_event.url"
          value={form.metaUrl}
          onChange={set('metaUrl')}
        />
        <TextField
          label="Meta event secret"
          type="password"
          autoComplete="new-password"
          hint="Blank keeps the current secret"
          name="config.meta_event.secret"
          value={form.metaSecret}
          onChange={set('metaSecret')}
        />
        <fieldset className="choices">
          <legend>Meta event types</legend>
          {META_EVENT_TYPES.map((type) => (
            <CheckboxField
              key={type}
              label={type}
              checked={form.metaEventTypes.includes(type)}
              onChange={(checked) =>
                set('metaEventTypes')(
                  checked ? [...form.metaEventTypes, type] : form.metaEventTypes.filter((kept) => kept !== type),
                )
              }
            />
          ))}
        </fieldset>
      </fieldset>
      <fieldset>
        <legend>Retention</legend>
        <CheckboxField
          label="Delete old events, deliveries, attempts and meta events"
          name="config.is_retention_policy_enabled"
          checked={form.retentionEnabled}
          onChange={set('retentionEnabled')}
        />
        <TextField
          label="Keep data for"
          hint='A Go duration such as "720h" (30 days); blank keeps the current policy'
          name="config.retention_policy"
          value={form.retentionPolicy}
          onChange={set('retentionPolicy')}
        />
      </fieldset>
    </Form>
  );
}

/** Settings and API keys. */
export function ProjectSettings() {
  const { projectId = '' } = useParams();
  const project = useQuery({
    queryKey: [projectId, 'project'],
    queryFn: () => call<Project>('GET', projectPath(projectId)),
  });
  const keys = useQuery({
    queryKey: [projectId, 'keys'],
    queryFn: () => call<ApiKey[]>('GET', projectPath(projectId, '/keys')),
  });
  const [keyName, setKeyName] = useState('');
  const [newKey, setNewKey] = useState('');
  const createKey = useChange(projectId, (name: string) =>
    call<{ key: string }>('POST', projectPath(projectId, '/keys'), { body: { name } }),
  );
  const revoke = useChange(projectId, (id: string) => call('DELETE', projectPath(projectId, `/keys/${id}`)));

  return (
    <section>
      <h1>Settings</h1>
      <QueryState query={project}>
        {(data) => <SettingsEditor key={data.uid} projectId={projectId} project={data} />}
      </QueryState>
      <h2>API keys</h2>
      <DataTable
        query={keys}
        rowKey={(key) => key.uid}
        empty="No keys."
        columns={[
          { header: 'Name', cell: (key) => key.name },
          { header: 'Key', cell: (key) => <code>{key.key}</code> },
          { header: 'Created', cell: (key) => <Time value={key.created_at} /> },
          { header: 'State', cell: (key) => (key.revoked_at ? 'revoked' : 'active') },
          {
            header: 'Actions',
            srOnly: true,
            cell: (key) =>
              !key.revoked_at && (
                <RowButton confirm={`Revoke key ${key.name}?`} onClick={() => revoke.mutate(key.uid)}>
                  Revoke
                </RowButton>
              ),
          },
        ]}
      />
      <Form
        label="Create an API key"
        submit="Create key"
        error={createKey.error}
        onSubmit={() => createKey.mutate(keyName, { onSuccess: (data) => setNewKey(data.key) })}
      >
        <TextField label="Key name" name="name" required value={keyName} onChange={setKeyName} />
        {newKey && (
          <p className="secret-once" role="status">
            The new key, shown once: <code>{newKey}</code>
          </p>
        )}
      </Form>
    </section>
  );
}
