import type { MetaEventEntity, ProjectEntity } from '@caravan/persistence';
import { eventData } from '../events/event.presenter';

/** A meta event as Convoy shows it: its payload in `metadata`, the last answer in `attempt`. */
export function presentMetaEvent(metaEvent: MetaEventEntity, project?: ProjectEntity) {
  const last = metaEvent.lastResponse;
  return {
    uid: metaEvent.id,
    project_id: metaEvent.projectId,
    event_type: metaEvent.eventType,
    status: metaEvent.status,
    metadata: {
      data: eventData(metaEvent.payload),
      raw: metaEvent.payload.toString('utf8'),
      strategy: project?.config.strategy.type ?? '',
      interval_seconds: project?.config.strategy.duration ?? 0,
      num_trials: metaEvent.attempts,
      retry_limit: metaEvent.retryLimit,
      next_send_time: metaEvent.nextSendTime,
    },
    attempt: last
      ? {
          http_status: last.http_status === null ? '' : String(last.http_status),
          response_http_header: last.headers,
          response_data: last.body,
          error: last.error ?? '',
        }
      : null,
    created_at: metaEvent.createdAt,
    updated_at: metaEvent.updatedAt,
    deleted_at: null,
  };
}
