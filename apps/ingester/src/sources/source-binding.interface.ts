import type { ProjectEntity, SourceEntity } from '@caravan/persistence';
import type { SourceTransforms } from '../transform/source-transforms';

/** A live pub_sub source as its consumers see it. */
export interface SourceBinding {
  readonly source: SourceEntity;
  /** Refreshed by the registry on every reload, so project settings apply without a restart. */
  project: ProjectEntity;
  readonly transforms: SourceTransforms;
}
