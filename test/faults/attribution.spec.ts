import { attributeDuplicates, countByCause, faultBetween, InjectedFault, Receipt } from './attribution.mjs';

const faults: InjectedFault[] = [
  { name: 'SIGKILL api', at: 10_000 },
  { name: 'SIGKILL dispatcher', at: 20_000 },
  { name: 'SIGKILL ingester', at: 30_000 },
  { name: 'Postgres restart', at: 40_000 },
];
const receipt = (at: number, eventId: string, deliveryId: string): Receipt => ({ at, eventId, deliveryId });
const attribute = (receipts: Record<string, Receipt[]>) =>
  attributeDuplicates(new Map(Object.entries(receipts).map(([token, list]) => [token, { receipts: list }])), faults);

describe('charging a repeated delivery to its cause', () => {
  it('counts nothing for a token delivered once', () => {
    expect(attribute({ t1: [receipt(5_000, 'e1', 'd1')] })).toEqual([]);
  });

  it('charges the same delivery id again after a dispatcher kill to that kill, not to the fault its repeat arrived after', () => {
    // Sent just before the kill; handed out again once its lease lapsed, after the ingester kill.
    const [duplicate] = attribute({ t1: [receipt(19_900, 'e1', 'd1'), receipt(33_000, 'e1', 'd1')] });

    expect(duplicate).toMatchObject({ cause: 'resent_after_dispatcher_kill', fault: 1, firstAt: 19_900, at: 33_000 });
  });

  it('charges the same delivery id again with no dispatcher kill between to a lapsed lease, and to the fault between the copies', () => {
    const [duplicate] = attribute({ t1: [receipt(39_500, 'e1', 'd1'), receipt(52_000, 'e1', 'd1')] });

    expect(duplicate).toMatchObject({ cause: 'resent_lease_lapsed', fault: 3 });
  });

  it('tells another delivery of the same event (routed twice) from another event with the same payload (ingested twice)', () => {
    const duplicates = attribute({
      routed: [receipt(31_000, 'e1', 'd1'), receipt(32_000, 'e1', 'd2')],
      ingested: [receipt(29_000, 'e2', 'd3'), receipt(36_000, 'e3', 'd4')],
    });

    expect(duplicates.map(({ token, cause, fault }) => ({ token, cause, fault }))).toEqual([
      { token: 'routed', cause: 'routed_twice', fault: 2 },
      { token: 'ingested', cause: 'ingested_twice', fault: 2 },
    ]);
    expect(countByCause(duplicates)).toEqual({
      resent_after_dispatcher_kill: 0,
      resent_lease_lapsed: 0,
      routed_twice: 1,
      ingested_twice: 1,
    });
  });

  it('counts each repeat once: a third copy of a delivery is a second duplicate', () => {
    const duplicates = attribute({
      t1: [receipt(19_000, 'e1', 'd1'), receipt(21_000, 'e1', 'd1'), receipt(25_000, 'e1', 'd1')],
    });

    expect(duplicates.map((d) => [d.cause, d.firstAt])).toEqual([
      ['resent_after_dispatcher_kill', 19_000],
      ['resent_lease_lapsed', 21_000],
    ]);
  });
});

describe('the fault that disrupted work between two instants', () => {
  it('is the first one injected in between (or just before the start), else the last one before', () => {
    expect(faultBetween(faults, 12_000, 25_000)).toBe(1);
    expect(faultBetween(faults, 20_500, 21_000)).toBe(1);
    expect(faultBetween(faults, 22_000, 29_000)).toBe(1);
    expect(faultBetween(faults, 1_000, 2_000)).toBe(-1);
  });
});
