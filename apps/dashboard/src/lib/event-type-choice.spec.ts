import { chooseEventType } from './event-type-choice';

describe('the event-type picker', () => {
  it('replaces "every type" by the first named type, and adds the next ones', () => {
    expect(chooseEventType(['*'], 'order.paid', true)).toEqual(['order.paid']);
    expect(chooseEventType(['order.paid'], 'order.created', true)).toEqual(['order.paid', 'order.created']);
  });

  it('goes back to every type when the last named type is unchecked, or "*" is checked', () => {
    expect(chooseEventType(['order.paid'], 'order.paid', false)).toEqual(['*']);
    expect(chooseEventType(['order.paid', 'order.created'], 'order.paid', false)).toEqual(['order.created']);
    expect(chooseEventType(['order.paid'], '*', true)).toEqual(['*']);
  });

  it('unchecking "*" keeps the named types (none left: the choice is empty until one is picked)', () => {
    expect(chooseEventType(['*'], '*', false)).toEqual([]);
  });
});
