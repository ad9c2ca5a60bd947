import { describeIngesterOn } from './support/broker-contract.suite';
import { SqsDriver } from './support/sqs.driver';

describeIngesterOn(() => new SqsDriver());
