import type { Request } from 'express';

/** Who is calling: the instance admin, or a project's key (which sees only that project). */
export type Principal = { kind: 'admin' } | { kind: 'project'; projectId: string; keyId: string };

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}
