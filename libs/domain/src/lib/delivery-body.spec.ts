import { deliveryBody, deliveryRetryLimit, DeliveryMode } from './delivery-body';
import { EndpointContentType } from './endpoints';

const form = (raw: string) => deliveryBody(Buffer.from(raw, 'utf8'), EndpointContentType.FormUrlEncoded).toString();

describe('deliveryBody', () => {
  it('sends the exact bytes to JSON endpoints', () => {
    const raw = Buffer.from('{ "b": 1,\n "a": "x" }');
    expect(deliveryBody(raw, EndpointContentType.Json)).toBe(raw);
  });

  it('form-encodes the members of a JSON object', () => {
    const body = form('{"name":"Zoë & co","amount":12.5,"paid":true,"note":null,"tags":["a","b"],"meta":{"k":1}}');
    expect(body).toBe(
      'name=Zo%C3%AB+%26+co&amount=12.5&paid=true&note=&tags=%5B%22a%22%2C%22b%22%5D&meta=%7B%22k%22%3A1%7D',
    );
    const parsed = new URLSearchParams(body);
    expect(parsed.get('name')).toBe('Zoë & co');
    expect(JSON.parse(parsed.get('meta') ?? '')).toEqual({ k: 1 });
  });

  it('sends a body that is not a JSON object as one payload field', () => {
    expect(new URLSearchParams(form('[1,2]')).get('payload')).toBe('[1,2]');
    expect(new URLSearchParams(form('not json')).get('payload')).toBe('not json');
  });
});

describe('deliveryRetryLimit', () => {
  it('is the retry count for at_least_once and one for at_most_once', () => {
    expect(deliveryRetryLimit(DeliveryMode.AtLeastOnce, 5)).toBe(5);
    expect(deliveryRetryLimit(DeliveryMode.AtLeastOnce, 0)).toBe(1);
    expect(deliveryRetryLimit(DeliveryMode.AtMostOnce, 5)).toBe(1);
  });
});
