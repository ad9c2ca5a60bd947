import { ManualClock } from '@caravan/domain';
import type { EndpointEntity, EndpointsRepository } from '@caravan/persistence';
import { anEndpoint, asRepository } from '@caravan/testing';
import { ENDPOINT_CACHE_TTL_MS, EndpointDirectory } from './endpoint-directory.service';

describe('EndpointDirectory (in memory, manual clock)', () => {
  function world() {
    const clock = new ManualClock();
    const rows: EndpointEntity[] = [];
    const reads: string[] = [];
    const repository = asRepository<EndpointsRepository>({
      findById: async (projectId: string, id: string) => {
        reads.push(`id ${projectId}/${id}`);
        return rows.find((row) => row.projectId === projectId && row.id === id) ?? null;
      },
      findByOwner: async (projectId: string, ownerId: string) => {
        reads.push(`owner ${projectId}/${ownerId}`);
        return rows.filter((row) => row.projectId === projectId && row.ownerId === ownerId);
      },
    });
    return { clock, rows, reads, directory: new EndpointDirectory(repository, clock) };
  }

  it('reads a found endpoint once, then answers from memory until the TTL passes', async () => {
    const { clock, rows, reads, directory } = world();
    const endpoint = anEndpoint({ id: 'p1' });
    rows.push(endpoint);
    expect(await directory.endpoint('p1', endpoint.id)).toBe(endpoint.id);
    expect(await directory.endpoint('p1', endpoint.id)).toBe(endpoint.id);
    expect(reads).toHaveLength(1);
    await clock.advance(ENDPOINT_CACHE_TTL_MS + 1);
    rows.length = 0;
    expect(await directory.endpoint('p1', endpoint.id)).toBeNull();
    expect(reads).toHaveLength(2);
  });

  it('never remembers an absence: an endpoint created after a miss is found at once', async () => {
    const { rows, directory } = world();
    const endpoint = anEndpoint({ id: 'p1' });
    expect(await directory.endpoint('p1', endpoint.id)).toBeNull();
    rows.push(endpoint);
    expect(await directory.endpoint('p1', endpoint.id)).toBe(endpoint.id);
  });

  it('keeps projects apart: an endpoint id of one project is not found in another', async () => {
    const { rows, directory } = world();
    const endpoint = anEndpoint({ id: 'p1' });
    rows.push(endpoint);
    expect(await directory.endpoint('p1', endpoint.id)).toBe(endpoint.id);
    expect(await directory.endpoint('p2', endpoint.id)).toBeNull();
  });

  it("remembers an owner's endpoints, and forgets one project's entries only", async () => {
    const { rows, reads, directory } = world();
    const first = anEndpoint({ id: 'p1' }, { ownerId: 'acme' });
    const other = anEndpoint({ id: 'p2' }, { ownerId: 'acme' });
    rows.push(first, other);
    expect(await directory.ownedBy('p1', 'acme')).toEqual([first.id]);
    expect(await directory.ownedBy('p2', 'acme')).toEqual([other.id]);
    const second = anEndpoint({ id: 'p1' }, { ownerId: 'acme' });
    rows.push(second);
    expect(await directory.ownedBy('p1', 'acme')).toEqual([first.id]);
    directory.forget('p1');
    expect(await directory.ownedBy('p1', 'acme')).toEqual([first.id, second.id]);
    const readsBefore = reads.length;
    expect(await directory.ownedBy('p2', 'acme')).toEqual([other.id]);
    expect(reads).toHaveLength(readsBefore);
  });

  it('forgets a deleted endpoint when told, before its TTL', async () => {
    const { rows, directory } = world();
    const endpoint = anEndpoint({ id: 'p1' });
    rows.push(endpoint);
    expect(await directory.endpoint('p1', endpoint.id)).toBe(endpoint.id);
    rows.length = 0;
    expect(await directory.endpoint('p1', endpoint.id)).toBe(endpoint.id);
    directory.forget('p1');
    expect(await directory.endpoint('p1', endpoint.id)).toBeNull();
  });
});
