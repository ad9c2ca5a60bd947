import { isInFlight, retryButton } from './delivery-actions';

describe('the retry button of a delivery', () => {
  it('reads Retry and is active on Failure and Discarded', () => {
    expect(retryButton('Failure')).toEqual({ label: 'Retry', enabled: true, action: 'resend' });
    expect(retryButton('Discarded')).toEqual({ label: 'Retry', enabled: true, action: 'resend' });
  });

  it('becomes Force Retry on Success', () => {
    expect(retryButton('Success')).toEqual({ label: 'Force Retry', enabled: true, action: 'forceresend' });
  });

  it('is inactive while the delivery is in flight, and for an unknown status', () => {
    for (const status of ['Scheduled', 'Processing', 'Retry', 'Whatever']) {
      expect(retryButton(status)).toEqual({ label: 'Retry', enabled: false, action: null });
    }
    expect(['Scheduled', 'Processing', 'Retry', 'Success', 'Failure'].map(isInFlight)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
