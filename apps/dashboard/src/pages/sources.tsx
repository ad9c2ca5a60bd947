import { useState } from 'react';
import { useParams } from 'react-router';
import type { SourceProvider } from '@caravan/domain';
import { call, projectPath } from '../lib/api';
import { useChange, usePagedList } from '../lib/hooks';
import {
  BROKERS,
  EMPTY_SOURCE_FORM,
  PROVIDERS,
  providerPreset,
  type SourceForm,
  type SourceRow,
  toSourceBody,
  toSourceForm,
  VERIFIERS,
} from '../lib/source-form';
import { DataTable } from '../components/data-table';
import { CheckboxField, Form, NumberField, SelectField, TextAreaField, TextField } from '../components/form';
import { Copy, ErrorState, RowButton } from '../components/ui';

interface Source extends SourceRow {
  uid: string;
  url: string;
  is_disabled: boolean;
}

const PROVIDER_NAMES: Record<string, string> = { github: 'GitHub', shopify: 'Shopify', twitter: 'Twitter' };

/** One section of the form (verifier, broker) and its change function. */
type Section<K extends keyof SourceForm> = {
  value: SourceForm[K];
  set: (change: Partial<SourceForm[K]>) => void;
};

function HttpFields({ form, set }: { form: SourceForm; set: (change: Partial<SourceForm>) => void }) {
  const hmac: Section<'hmac'> = { value: form.hmac, set: (change) => set({ hmac: { ...form.hmac, ...change } }) };
  const preset = form.provider ? providerPreset(form.provider) : null;
  return (
    <>
      <SelectField
        label="Provider preset"
        hint="GitHub, Shopify and Twitter verify with their own signature scheme: only the secret is needed"
        name="provider"
        value={form.provider}
        onChange={(provider) => set({ provider: provider as SourceProvider | '' })}
        options={[['', 'none'], ...PROVIDERS.map((provider) => [provider, PROVIDER_NAMES[provider]] as const)]}
      />
      {preset ? (
        <p className="hint" data-testid="provider-preset">
          Verifies <code>{preset.header}</code>: {preset.hash} HMAC, {preset.encoding}
          {preset.prefix ? `, prefixed ${preset.prefix}` : ''}.
        </p>
      ) : (
        <SelectField
          label="Verifier"
          name="verifier.type"
          value={form.verifier}
          onChange={(verifier) => set({ verifier: verifier as SourceForm['verifier'] })}
          options={VERIFIERS}
        />
      )}
      {!preset && form.verifier === 'hmac' && (
        <>
          <TextField
            label="Signature header"
            name="verifier.hmac.header"
            required
            value={hmac.value.header}
            onChange={(header) => hmac.set({ header })}
          />
          <SelectField
            label="Hash"
            name="verifier.hmac.hash"
            value={hmac.value.hash}
            onChange={(hash) => hmac.set({ hash })}
            options={['SHA256', 'SHA512']}
          />
          <SelectField
            label="Encoding"
            name="verifier.hmac.encoding"
            value={hmac.value.encoding}
            onChange={(encoding) => hmac.set({ encoding })}
            options={['hex', 'base64']}
          />
        </>
      )}
      {(preset || form.verifier === 'hmac') && (
        <TextField
          label="Signing secret"
          type="password"
          autoComplete="new-password"
          name="verifier.hmac.secret"
          required
          value={hmac.value.secret}
          onChange={(secret) => hmac.set({ secret })}
        />
      )}
      {!preset && form.verifier === 'basic_auth' && (
        <>
          <TextField
            label="Username"
            name="verifier.basic_auth.username"
            required
            value={form.basicAuth.username}
            onChange={(username) => set({ basicAuth: { ...form.basicAuth, username } })}
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            name="verifier.basic_auth.password"
            required
            value={form.basicAuth.password}
            onChange={(password) => set({ basicAuth: { ...form.basicAuth, password } })}
          />
        </>
      )}
      {!preset && form.verifier === 'api_key' && (
        <>
          <TextField
            label="API key header"
            name="verifier.api_key.header_name"
            required
            value={form.apiKey.header_name}
            onChange={(header_name) => set({ apiKey: { ...form.apiKey, header_name } })}
          />
          <TextField
            label="API key value"
            type="password"
            autoComplete="new-password"
            name="verifier.api_key.header_value"
            required
            value={form.apiKey.header_value}
            onChange={(header_value) => set({ apiKey: { ...form.apiKey, header_value } })}
          />
        </>
      )}
    </>
  );
}

function BrokerFields({ form, set }: { form: SourceForm; set: (change: Partial<SourceForm>) => void }) {
  const at = (field: string) => `pub_sub.${form.broker}.${field}`;
  const section = <K extends 'sqs' | 'google' | 'kafka' | 'amqp'>(key: K) => ({
    value: form[key],
    set: (change: Partial<SourceForm[K]>) => set({ [key]: { ...form[key], ...change } } as Partial<SourceForm>),
  });
  const text = <K extends 'sqs' | 'google' | 'kafka' | 'amqp'>(
    key: K,
    field: keyof SourceForm[K] & string,
    label: string,
    options: { required?: boolean; hint?: string; secret?: boolean } = {},
  ) => {
    const { value, set: change } = section(key);
    return (
      <TextField
        label={label}
        hint={options.hint}
        name={at(field)}
        required={options.required}
        type={options.secret ? 'password' : 'text'}
        autoComplete={options.secret ? 'new-password' : undefined}
        value={String(value[field] ?? '')}
        onChange={(next) => change({ [field]: next } as Partial<SourceForm[K]>)}
      />
    );
  };
  return (
    <>
      <SelectField
        label="Broker"
        name="pub_sub.type"
        value={form.broker}
        onChange={(broker) => set({ broker: broker as SourceForm['broker'] })}
        options={BROKERS}
      />
      <NumberField
        label="Workers"
        hint="Consumers per ingester instance"
        name="pub_sub.workers"
        min={1}
        max={100}
        value={form.workers}
        onChange={(workers) => set({ workers })}
      />
      {form.broker === 'sqs' && (
        <>
          {text('sqs', 'queue_name', 'Queue name', { required: true })}
          {text('sqs', 'default_region', 'Region', { required: true })}
          {text('sqs', 'access_key_id', 'Access key ID', { required: true })}
          {text('sqs', 'secret_key', 'Secret key', { required: true, secret: true })}
          {text('sqs', 'endpoint', 'SQS endpoint', { hint: 'A self-hosted or emulated SQS; blank for AWS' })}
        </>
      )}
      {form.broker === 'google' && (
        <>
          {text('google', 'project_id', 'Google Cloud project ID', { required: true })}
          {text('google', 'subscription_id', 'Subscription ID', { required: true })}
          <TextAreaField
            label="Service account key (JSON)"
            hint="The key file's JSON, or Convoy's base64 of it"
            name={at('service_account')}
            required
            value={form.google.service_account}
            onChange={(service_account) => section('google').set({ service_account })}
          />
          {text('google', 'endpoint', 'Pub/Sub emulator host', { hint: 'host:port; blank for Google Cloud' })}
        </>
      )}
      {form.broker === 'kafka' && (
        <>
          {text('kafka', 'brokers', 'Kafka brokers', { required: true, hint: 'host:port, comma-separated' })}
          {text('kafka', 'topic_name', 'Topic', { required: true })}
          {text('kafka', 'consumer_group_id', 'Consumer group ID')}
          <SelectField
            label="Kafka authentication"
            name={at('auth.type')}
            value={form.kafka.authType}
            onChange={(authType) => section('kafka').set({ authType: authType as SourceForm['kafka']['authType'] })}
            options={[
              ['', 'none'],
              ['plain', 'SASL plain'],
              ['scram', 'SASL SCRAM'],
            ]}
          />
          {form.kafka.authType && (
            <>
              {form.kafka.authType === 'scram' && (
                <SelectField
                  label="SCRAM hash"
                  name={at('auth.hash')}
                  value={form.kafka.hash}
                  onChange={(hash) => section('kafka').set({ hash })}
                  options={['SHA256', 'SHA512']}
                />
              )}
              {text('kafka', 'username', 'Kafka username')}
              {text('kafka', 'password', 'Kafka password', { secret: true })}
              <CheckboxField label="TLS" checked={form.kafka.tls} onChange={(tls) => section('kafka').set({ tls })} />
            </>
          )}
        </>
      )}
      {form.broker === 'amqp' && (
        <>
          <SelectField
            label="Scheme"
            name={at('schema')}
            value={form.amqp.schema}
            onChange={(schema) => section('amqp').set({ schema })}
            options={['amqp', 'amqps']}
          />
          {text('amqp', 'host', 'Host', { required: true })}
          {text('amqp', 'port', 'Port', { required: true })}
          {text('amqp', 'queue', 'Queue', { required: true })}
          {text('amqp', 'vhost', 'Virtual host')}
          {text('amqp', 'user', 'AMQP user')}
          {text('amqp', 'password', 'AMQP password', { secret: true })}
          {text('amqp', 'exchange', 'Bind to exchange')}
          {text('amqp', 'routingKey', 'Routing key')}
          {text('amqp', 'deadLetterExchange', 'Dead-letter exchange')}
        </>
      )}
    </>
  );
}

function SourceEditor({
  projectId,
  editing,
  onDone,
}: {
  projectId: string;
  editing: Source | null;
  onDone: () => void;
}) {
  const [form, setForm] = useState<SourceForm>(() => (editing ? toSourceForm(editing) : EMPTY_SOURCE_FORM));
  const base = projectPath(projectId, '/sources');
  const save = useChange(projectId, (body: unknown) =>
    editing ? call('PUT', `${base}/${editing.uid}`, { body }) : call('POST', base, { body }),
  );
  const set = (change: Partial<SourceForm>) => {
    save.reset();
    setForm((current) => ({ ...current, ...change }));
  };
  return (
    <Form
      label={editing ? `Edit source ${editing.name}` : 'Create a source'}
      title={editing ? `Edit ${editing.name}` : 'New source'}
      submit={editing ? 'Save source' : 'Create source'}
      busy={save.isPending}
      error={save.error}
      onSubmit={() =>
        save.mutate(toSourceBody(form), {
          onSuccess: () => {
            setForm(EMPTY_SOURCE_FORM);
            onDone();
          },
        })
      }
    >
      <TextField label="Source name" name="name" required value={form.name} onChange={(name) => set({ name })} />
      <SelectField
        label="Source type"
        name="type"
        value={form.type}
        onChange={(type) => set({ type: type as SourceForm['type'] })}
        options={[
          ['http', 'http (webhooks in)'],
          ['pub_sub', 'pub_sub (a broker)'],
        ]}
      />
      {form.type === 'http' ? <HttpFields form={form} set={set} /> : <BrokerFields form={form} set={set} />}
    </Form>
  );
}

export function Sources() {
  const { projectId = '' } = useParams();
  const { query, setPage } = usePagedList<Source>(projectId, 'sources');
  const base = projectPath(projectId, '/sources');
  const [editing, setEditing] = useState<Source | null>(null);
  const toggle = useChange(projectId, (source: Source) =>
    call('PUT', `${base}/${source.uid}`, { body: { is_disabled: !source.is_disabled } }),
  );

  return (
    <section>
      <h1>Sources</h1>
      <DataTable
        query={query}
        onPage={setPage}
        rowKey={(source) => source.uid}
        empty="No sources yet."
        columns={[
          { header: 'Name', cell: (source) => source.name },
          {
            header: 'Type',
            cell: (source) =>
              `${source.type}${source.provider ? ` (${source.provider})` : ''}${source.pub_sub?.type ? ` (${source.pub_sub.type})` : ''}`,
          },
          {
            header: 'Ingest URL',
            className: 'wrap',
            cell: (source) =>
              source.url ? (
                <>
                  <code>{source.url}</code> <Copy text={source.url} label={`Copy the ingest URL of ${source.name}`} />
                </>
              ) : (
                '—'
              ),
          },
          { header: 'State', cell: (source) => (source.is_disabled ? 'disabled' : 'enabled') },
          {
            header: 'Actions',
            srOnly: true,
            cell: (source) => (
              <>
                <RowButton onClick={() => toggle.mutate(source)}>{source.is_disabled ? 'Enable' : 'Disable'}</RowButton>
                <RowButton onClick={() => setEditing(source)}>Edit</RowButton>
              </>
            ),
          },
        ]}
      />
      {toggle.error ? <ErrorState error={toggle.error} /> : null}
      <SourceEditor
        key={editing?.uid ?? 'new'}
        projectId={projectId}
        editing={editing}
        onDone={() => setEditing(null)}
      />
    </section>
  );
}
