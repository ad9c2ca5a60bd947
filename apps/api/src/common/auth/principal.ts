import type { Request } from 'express';

/** Who is calling: the instance admin, or a project's key (which sees only that project). */
export type Principal =
  | { kind: 'admin' }
  /** `expiresAt`: when the presented key stops working (null: never). */
  | { kind: 'project'; projectId: string; keyId: string; expiresAt: Date | null };

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}
