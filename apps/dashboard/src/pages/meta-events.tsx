import { useParams } from 'react-router';
import { call, projectPath } from '../lib/api';
import { useChange, usePagedList } from '../lib/hooks';
import { ErrorState, Json, Pager, QueryState, Status, Time } from '../components/ui';

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
      <QueryState query={query} isEmpty={(page) => page.content.length === 0} empty="No meta events.">
        {(page) => (
          <>
            <ul className="plain">
              {page.content.map((meta) => (
                <li key={meta.uid} className="card">
                  <details>
                    <summary>
                      <Status value={meta.status} /> {meta.event_type} — <Time value={meta.created_at} />
                    </summary>
                    <Json value={meta.metadata?.data ?? meta} label={`Meta event ${meta.uid}`} />
                  </details>
                  <button type="button" className="small" onClick={() => resend.mutate(meta.uid)}>
                    Resend
                  </button>
                </li>
              ))}
            </ul>
            <Pager pagination={page.pagination} onPage={setPage} />
          </>
        )}
      </QueryState>
    </section>
  );
}
