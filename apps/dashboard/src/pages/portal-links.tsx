import { useState } from 'react';
import { useParams } from 'react-router';
import { call, projectPath } from '../lib/api';
import { useChange, usePagedList } from '../lib/hooks';
import { DataTable } from '../components/data-table';
import { CheckboxField, Form, TextField } from '../components/form';
import { Copy, ErrorState, RowButton, Time } from '../components/ui';

interface PortalLink {
  uid: string;
  name: string;
  owner_id: string;
  endpoint_count: number;
  can_manage_endpoint: boolean;
  url: string;
  created_at: string;
}

export function PortalLinks() {
  const { projectId = '' } = useParams();
  const { query, setPage } = usePagedList<PortalLink>(projectId, 'portal-links');
  const base = projectPath(projectId, '/portal-links');
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [manage, setManage] = useState(true);
  const [url, setUrl] = useState('');
  const create = useChange(projectId, (body: unknown) => call<PortalLink>('POST', base, { body }));
  const revoke = useChange(projectId, (id: string) => call('PUT', `${base}/${id}/revoke`));
  const refresh = useChange(projectId, (id: string) => call<string>('GET', `${base}/${id}/refresh_token`));

  return (
    <section>
      <h1>Portal links</h1>
      <p className="hint">
        A customer&apos;s own view of its endpoints, events and deliveries, opened by an unguessable link.
      </p>
      {url && (
        <p className="secret-once" role="status">
          Portal URL, shown once: <a href={url}>{url}</a> <Copy text={url} label="Copy the portal URL" />
        </p>
      )}
      <DataTable
        query={query}
        onPage={setPage}
        rowKey={(link) => link.uid}
        empty="No portal links."
        columns={[
          { header: 'Name', cell: (link) => link.name },
          { header: 'Owner', cell: (link) => link.owner_id || '—' },
          { header: 'Endpoints', cell: (link) => link.endpoint_count },
          { header: 'Can manage', cell: (link) => (link.can_manage_endpoint ? 'yes' : 'no') },
          { header: 'Created', cell: (link) => <Time value={link.created_at} /> },
          {
            header: 'Actions',
            srOnly: true,
            cell: (link) => (
              <>
                <RowButton
                  onClick={() =>
                    refresh.mutate(link.uid, {
                      onSuccess: (token) =>
                        setUrl(`${window.location.origin}/portal?token=${encodeURIComponent(token)}`),
                    })
                  }
                >
                  New URL
                </RowButton>
                <RowButton confirm={`Revoke portal link ${link.name}?`} onClick={() => revoke.mutate(link.uid)}>
                  Revoke
                </RowButton>
              </>
            ),
          },
        ]}
      />
      {revoke.error || refresh.error ? <ErrorState error={revoke.error ?? refresh.error} /> : null}
      <Form
        label="Create a portal link"
        title="New portal link"
        submit="Create portal link"
        busy={create.isPending}
        error={create.error}
        onSubmit={() =>
          create.mutate(
            { name, owner_id: owner, can_manage_endpoint: manage },
            { onSuccess: (link) => setUrl(link.url) },
          )
        }
      >
        <TextField label="Link name" name="name" required value={name} onChange={setName} />
        <TextField
          label="Owner ID"
          name="owner_id"
          hint="The link covers every endpoint with this owner ID"
          required
          value={owner}
          onChange={setOwner}
        />
        <CheckboxField
          label="The customer can manage endpoints"
          name="can_manage_endpoint"
          checked={manage}
          onChange={setManage}
        />
      </Form>
    </section>
  );
}
