import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesBucket } from '../api/models';
import { percent } from '../lib/format';
import { CHART_REFRESH_MS, useRefreshWhileVisible } from '../lib/use-refresh-while-visible';
import { Card, EmptyState, ErrorNotice, Spinner, useLoad } from '../ui/components';
import { usePortal } from './portal-context';

export const RANGES = {
  '24h': { label: '24 h', ms: 86_400_000, bucket: '15m' },
  '7d': { label: '7 d', ms: 7 * 86_400_000, bucket: '1h' },
  '30d': { label: '30 d', ms: 30 * 86_400_000, bucket: '1d' },
} as const;
export type RangeKey = keyof typeof RANGES;

const COLORS = { succeeded: '#0e9f4f', failed: '#e59500', dead: '#d13438', p50: '#4f46e5', p95: '#a855f7' };

function UPlotChart({ options, data, label }: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const chart = new uPlot({ ...options, width: element.clientWidth || 300, height: 200 }, data, element);
    const observer = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: 200 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [options, data]);
  return <div ref={ref} className="chart" role="img" aria-label={label} />;
}

export function RangePicker({ value, onChange }: { value: RangeKey; onChange: (range: RangeKey) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Time range">
      {(Object.keys(RANGES) as RangeKey[]).map((key) => (
        <button key={key} type="button" aria-pressed={value === key} onClick={() => onChange(key)}>
          {RANGES[key].label}
        </button>
      ))}
    </div>
  );
}

const axes = (unit?: string): uPlot.Axis[] => [
  { stroke: '#5b6478', grid: { stroke: '#eef1f5' }, ticks: { show: false } },
  { stroke: '#5b6478', grid: { stroke: '#eef1f5' }, ticks: { show: false }, size: 56, values: (_u, values) => values.map((v) => (unit ? `${v}${unit}` : String(v))) },
];

const bars = uPlot.paths.bars!({ size: [0.7, 24, 3], gap: 1 });
const points = { show: true, size: 4 } as const;

function Legend({ items }: { items: [string, string][] }) {
  return (
    <div className="legend" aria-hidden="true">
      {items.map(([label, color]) => (
        <span key={label}>
          <i style={{ background: color }} />
          {label}
        </span>
      ))}
    </div>
  );
}

function ChartBlock({ title, legend, children }: { title: string; legend: [string, string][]; children: React.ReactNode }) {
  return (
    <div className="chart-block">
      <h3>{title}</h3>
      <Legend items={legend} />
      {children}
    </div>
  );
}

/** The three charts for a set of buckets: attempts by outcome (stacked), success rate, latency. */
export function SeriesCharts({ buckets }: { buckets: SeriesBucket[] }) {
  const data = useMemo(() => {
    const x = buckets.map((b) => new Date(b.start).getTime() / 1000);
    // Stacked by hand: each series is drawn as the running total, the tallest first.
    const s = buckets.map((b) => b.succeeded);
    const sf = buckets.map((b) => b.succeeded + b.failed);
    const sfd = buckets.map((b) => b.succeeded + b.failed + b.dead);
    const rate = buckets.map((b) => (b.succeeded + b.failed === 0 ? null : Math.round((b.succeeded / (b.succeeded + b.failed)) * 1000) / 10));
    return {
      outcomes: [x, sfd, sf, s] as uPlot.AlignedData,
      rate: [x, rate] as uPlot.AlignedData,
      latency: [x, buckets.map((b) => b.p50Ms), buckets.map((b) => b.p95Ms)] as uPlot.AlignedData,
    };
  }, [buckets]);
  const options = useMemo(
    () => ({
      outcomes: {
        axes: axes(),
        legend: { show: false },
        series: [
          {},
          { label: 'Dead', fill: COLORS.dead, stroke: COLORS.dead, paths: bars },
          { label: 'Failed', fill: COLORS.failed, stroke: COLORS.failed, paths: bars },
          { label: 'Succeeded', fill: COLORS.succeeded, stroke: COLORS.succeeded, paths: bars },
        ],
      },
      rate: {
        axes: axes(' %'),
        legend: { show: false },
        scales: { y: { range: [0, 100] as [number, number] } },
        series: [{}, { label: 'Success %', stroke: COLORS.succeeded, width: 2, points }],
      },
      latency: {
        axes: axes(' ms'),
        legend: { show: false },
        series: [{}, { label: 'p50', stroke: COLORS.p50, width: 2, points }, { label: 'p95', stroke: COLORS.p95, width: 2, points }],
      },
    }),
    [],
  );
  // succeeded and failed count attempts; dead counts deliveries that ran out of attempts.
  const total = buckets.reduce((sum, b) => sum + b.succeeded + b.failed, 0);
  if (total === 0)
    return (
      <EmptyState title="No deliveries in this period" icon="chart">
        Charts fill in as deliveries are attempted.
      </EmptyState>
    );
  const succeeded = buckets.reduce((sum, b) => sum + b.succeeded, 0);
  return (
    <div className="stack">
      <div className="grid-3">
        <div className="metric">
          <span className="metric-label">Attempts</span>
          <span className="metric-value">{total.toLocaleString()}</span>
        </div>
        <div className="metric">
          <span className="metric-label">Success rate</span>
          <span className="metric-value">{percent(succeeded, total)}</span>
        </div>
        <div className="metric">
          <span className="metric-label">Dead deliveries</span>
          <span className="metric-value">{buckets.reduce((s, b) => s + b.dead, 0).toLocaleString()}</span>
        </div>
      </div>
      <div className="grid-3">
        <ChartBlock
          title="Attempts by outcome"
          legend={[
            ['Succeeded', COLORS.succeeded],
            ['Failed', COLORS.failed],
            ['Dead', COLORS.dead],
          ]}
        >
          <UPlotChart label="Attempts by outcome over time" data={data.outcomes} options={options.outcomes} />
        </ChartBlock>
        <ChartBlock title="Success rate" legend={[['Attempts that succeeded', COLORS.succeeded]]}>
          <UPlotChart label="Success rate over time" data={data.rate} options={options.rate} />
        </ChartBlock>
        <ChartBlock
          title="Latency"
          legend={[
            ['p50', COLORS.p50],
            ['p95', COLORS.p95],
          ]}
        >
          <UPlotChart label="Attempt latency p50 and p95 over time" data={data.latency} options={options.latency} />
        </ChartBlock>
      </div>
    </div>
  );
}

/** Charts of one endpoint (subscriptionId) or of the whole tenant. */
export default function Charts({ subscriptionId, title }: { subscriptionId?: string; title: string }) {
  const { tenant } = usePortal();
  const [range, setRange] = useState<RangeKey>('24h');
  const series = useLoad(() => {
    const until = new Date();
    const since = new Date(until.getTime() - RANGES[range].ms);
    return tenant.series({ since: since.toISOString(), until: until.toISOString(), bucket: RANGES[range].bucket, subscriptionId });
  }, [tenant, range, subscriptionId]);
  useRefreshWhileVisible(series.reload, CHART_REFRESH_MS);
  return (
    <Card title={title} actions={<RangePicker value={range} onChange={setRange} />}>
      {series.error ? (
        <ErrorNotice error={series.error} onRetry={series.reload} />
      ) : !series.data ? (
        <Spinner label="Loading charts" />
      ) : (
        <SeriesCharts buckets={series.data.buckets} />
      )}
    </Card>
  );
}
