import { describeIngesterOn } from './support/broker-contract.suite';
import { AmqpDriver } from './support/amqp.driver';

describeIngesterOn(
  () => new AmqpDriver(),
  (world) => {
    it('reconnects when the broker drops the connection, and consumes on', async () => {
      const { h, driver, liveSource } = world();
      const target = await h.endpoint('/reconnected');
      const { channel, source } = await liveSource();
      expect(await driver.dropConnections(`source ${source.id} `)).toBe(1);
      await h.logged(world().ingester, { msg: 'connection lost; reconnecting', source_id: source.id });

      await driver.publish(
        channel,
        JSON.stringify({ endpoint_id: target.id, event_type: 'after.reconnect', data: {} }),
      );
      const [event] = await h.eventsEventually(source, 1);
      expect(event.eventType).toBe('after.reconnect');
    });
  },
);
