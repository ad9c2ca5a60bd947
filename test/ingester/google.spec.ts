import { describeIngesterOn } from './support/broker-contract.suite';
import { GoogleDriver } from './support/google.driver';

describeIngesterOn(() => new GoogleDriver());
