import { describeIngesterOn } from './support/broker-contract.suite';
import { KafkaDriver } from './support/kafka.driver';

describeIngesterOn(() => new KafkaDriver());
