import { ApiError } from './api';
import { fieldErrors } from './field-errors';

describe("the api's field errors, by field path", () => {
  it('maps each named field to its message, joining several for one field', () => {
    const error = new ApiError(400, 'bad', [
      { field: 'config.strategy.duration', message: 'config.strategy.duration must not be greater than 86400' },
      { field: 'config.strategy.duration', message: 'config.strategy.duration must be an integer number' },
      { field: 'verifier.hmac.secret', message: 'verifier.hmac.secret must be a string' },
    ]);
    expect(fieldErrors(error)).toEqual({
      'config.strategy.duration':
        'config.strategy.duration must not be greater than 86400; config.strategy.duration must be an integer number',
      'verifier.hmac.secret': 'verifier.hmac.secret must be a string',
    });
  });

  it('has none for other errors', () => {
    expect(fieldErrors(new Error('network down'))).toEqual({});
    expect(fieldErrors(null)).toEqual({});
    expect(fieldErrors(new ApiError(500, 'boom'))).toEqual({});
  });
});
