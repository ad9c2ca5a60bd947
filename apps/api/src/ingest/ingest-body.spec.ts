import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { readBodyWithin } from './ingest-body';

function trickle(): IncomingMessage & PassThrough {
  return Object.assign(new PassThrough(), { headers: {} }) as unknown as IncomingMessage & PassThrough;
}

describe('readBodyWithin', () => {
  it('gives up on a body that does not arrive within the time bound (408)', async () => {
    const request = trickle();
    request.write('{"a":');
    const started = Date.now();
    await expect(readBodyWithin(request, 1024, 200)).rejects.toMatchObject({ status: 408 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reads a body that arrives in time', async () => {
    const request = trickle();
    const read = readBodyWithin(request, 1024, 5_000);
    request.end('{"a":1}');
    await expect(read).resolves.toEqual(Buffer.from('{"a":1}'));
  });
});
