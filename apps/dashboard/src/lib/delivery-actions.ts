import { canForceResend, canManuallyRetry, DeliveryStatus } from '@caravan/domain';

/**
 * The one retry button of a delivery, as Convoy's docs describe it: "Retry" for Failure and
 * Discarded deliveries, "Force Retry" on Success, inactive while the delivery is still in
 * flight (Scheduled, Processing, Retry). The rules are the api's own (libs/domain).
 */
export interface RetryButton {
  label: 'Retry' | 'Force Retry';
  enabled: boolean;
  /** Which api call the button makes. */
  action: 'resend' | 'forceresend' | null;
}

export function retryButton(status: string): RetryButton {
  const known = status as DeliveryStatus;
  if (canForceResend(known)) return { label: 'Force Retry', enabled: true, action: 'forceresend' };
  if (canManuallyRetry(known)) return { label: 'Retry', enabled: true, action: 'resend' };
  return { label: 'Retry', enabled: false, action: null };
}

/** Statuses a delivery will still move from on its own (lists keep polling while any is shown). */
export function isInFlight(status: string): boolean {
  return ['Scheduled', 'Processing', 'Retry'].includes(status);
}

/** Colours of the Grafana dashboards in deploy/ (Grafana's palette), one per status. */
export const STATUS_COLOURS: Record<string, string> = {
  Success: '#73BF69',
  Failure: '#F2495C',
  Discarded: '#B877D9',
  Retry: '#FF9830',
  Scheduled: '#5794F2',
  Processing: '#FADE2A',
};
