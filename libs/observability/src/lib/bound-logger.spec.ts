import { Logger } from '@nestjs/common';
import { BoundLogger } from './bound-logger';

describe('BoundLogger', () => {
  afterEach(() => jest.restoreAllMocks());

  it('adds its fields to every line, the call site naming only what is new', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const source = new BoundLogger('SourceConsumer', { project_id: 'p1', source_id: 's1' });
    const worker = source.child({ worker: 2 });
    const failure = new Error('broker down');

    worker.warn({ where: 'offset 7' }, 'message not ingested');
    source.error({ err: failure }, 'cannot consume source');

    expect(warn).toHaveBeenCalledWith(
      { project_id: 'p1', source_id: 's1', worker: 2, where: 'offset 7' },
      'message not ingested',
    );
    expect(error).toHaveBeenCalledWith({ project_id: 'p1', source_id: 's1', err: failure }, 'cannot consume source');
  });

  it('lets a call site override a bound field', () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    new BoundLogger('X', { worker: 0 }).log({ worker: 1 }, 'moved');
    expect(log).toHaveBeenCalledWith({ worker: 1 }, 'moved');
  });
});
