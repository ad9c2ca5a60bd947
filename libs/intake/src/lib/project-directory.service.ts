import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ProjectEntity, ProjectsRepository } from '@caravan/persistence';

/** How long a project's settings are reused on the intake path before being read again. */
export const PROJECT_CACHE_TTL_MS = 5_000;

/**
 * Project settings for the hot intake path, read at most once per project every few seconds
 * per process instead of once per event. A change made through this process's api is seen at
 * once (`forget`); other replicas see it within PROJECT_CACHE_TTL_MS.
 */
@Injectable()
export class ProjectDirectory {
  private readonly cache = new LRUCache<string, ProjectEntity>({ max: 10_000, ttl: PROJECT_CACHE_TTL_MS });

  constructor(private readonly projects: ProjectsRepository) {}

  async find(projectId: string): Promise<ProjectEntity | null> {
    const cached = this.cache.get(projectId);
    if (cached) return cached;
    const project = await this.projects.findById(projectId);
    if (project) this.cache.set(projectId, project);
    return project;
  }

  forget(projectId: string): void {
    this.cache.delete(projectId);
  }
}
