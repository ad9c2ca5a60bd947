import { useParams } from 'react-router';
import { call, projectPath } from '../lib/api';
import { useChange, usePagedList } from '../lib/hooks';
import { DataTable } from '../components/data-table';
import { ErrorState, Json, RowButton, Status, Time } from '../components/ui';

interface MetaEvent {
  uid: string;
  event_type: string;
  status: string;
  metadata?: { data?: unknown; num_trials?: number };
  created_at: string;
}

export function MetaEvents() {
  const { projectId = '' } = useParams();
  const { query, setPage } = usePagedList<MetaEvent>(projectId, 'meta-events', {}, { live: true });
  const resend = useChange(projectId, (id: string) => call('PUT', projectPath(projectId, `/meta-events/${id}/resend`)));
  return (
    <section>
      <h1>Meta events</h1>
      <p className="hint">Sent to the project&apos;s meta-event URL when enabled in Settings.</p>
      {resend.error ? <ErrorState error={resend.error} /> : null}
      <DataTable
        query={query}
        onPage={setPage}
        rowKey={(meta) => meta.uid}
        empty="No meta events."
        columns={[
          { header: 'Status', cell: (meta) => <Status value={meta.status} /> },
          {
            header: 'Meta event',
            cell: (meta) => (
              <details>
                <summary>{meta.event_type}</summary>
                <Json value={meta.metadata?.data ?? meta} label={`Meta event ${meta.uid}`} />
              </details>
            ),
          },
          { header: 'Attempts', cell: (meta) => meta.metadata?.num_trials ?? 0 },
          { header: 'Created', cell: (meta) => <Time value={meta.created_at} /> },
          {
            header: 'Actions',
            srOnly: true,
            cell: (meta) => <RowButton onClick={() => resend.mutate(meta.uid)}>Resend</RowButton>,
          },
        ]}
      />
    </section>
  );
}
