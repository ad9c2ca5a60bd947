export * from './lib/tokens';
export * from './lib/kafka-client.factory';
export * from './lib/kafka-readiness.check';
export * from './lib/topic-provisioner.service';
export * from './lib/messaging.module';
export * from './lib/doorbell.producer';
export * from './lib/doorbell.ringer';
export * from './lib/doorbell.consumer';
