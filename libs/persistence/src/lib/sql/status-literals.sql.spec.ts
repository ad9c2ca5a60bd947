import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryStatus, EndpointStatus, EventStatus, MetaEventStatus } from '@caravan/domain';
import { CLAIMABLE_IN, DELIVERY, ENDPOINT, META_CLAIMABLE_IN, sqlList, sqlLiteral } from './status-literals.sql';

describe('status literals', () => {
  it('quotes a value as an SQL literal, doubling quotes', () => {
    expect(sqlLiteral('Scheduled')).toBe(`'Scheduled'`);
    expect(sqlLiteral(`it's`)).toBe(`'it''s'`);
    expect(sqlList(['a', 'b'])).toBe(`('a', 'b')`);
  });

  it('derives every literal from the domain constants', () => {
    expect(DELIVERY.Processing).toBe(`'${DeliveryStatus.Processing}'`);
    expect(ENDPOINT.Active).toBe(`'${EndpointStatus.Active}'`);
    expect(CLAIMABLE_IN).toBe(`('Scheduled', 'Retry')`);
    expect(META_CLAIMABLE_IN).toBe(`('Scheduled', 'Retry')`);
  });

  it('no repository or SQL module spells a status by hand (migrations are history and keep theirs)', () => {
    const statuses = new Set<string>([
      ...Object.values(DeliveryStatus),
      ...Object.values(EventStatus),
      ...Object.values(MetaEventStatus),
      ...Object.values(EndpointStatus),
    ]);
    const quoted = new RegExp(`'(${[...statuses].join('|')})'`);
    const folders = [join(__dirname, '..', 'repositories'), __dirname];
    const offenders = folders.flatMap((folder) =>
      readdirSync(folder)
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && file !== 'status-literals.sql.ts')
        .filter((file) => quoted.test(readFileSync(join(folder, file), 'utf8')))
        .map((file) => join(folder, file)),
    );
    expect(offenders).toEqual([]);
  });
});
