import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { STATUS_COLOURS } from '../lib/delivery-actions';

export interface Bucket {
  period_start: string;
  counts: Record<string, number>;
}

const SHOWN = ['Success', 'Failure', 'Retry', 'Discarded', 'Scheduled', 'Processing'];

/** Deliveries per period by status (uPlot: a small, fast canvas chart), sized to its box. */
export function DeliveryChart({ buckets, label }: { buckets: Bucket[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const xs = buckets.map((bucket) => Date.parse(bucket.period_start) / 1000);
    const data: uPlot.AlignedData = [xs, ...SHOWN.map((status) => buckets.map((bucket) => bucket.counts[status] ?? 0))];
    const chart = new uPlot(
      {
        width: element.clientWidth || 600,
        height: 260,
        series: [
          {},
          ...SHOWN.map((status) => ({
            label: status,
            stroke: STATUS_COLOURS[status],
            fill: `${STATUS_COLOURS[status]}22`,
            width: 2,
          })),
        ],
        axes: [{}, { label: 'deliveries' }],
        scales: { x: { time: true } },
      },
      data,
      element,
    );
    const resize = () => chart.setSize({ width: element.clientWidth, height: 260 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [buckets]);
  return <div ref={box} className="chart" role="img" aria-label={label} data-testid="delivery-chart" />;
}
