import type { SeriesBucket } from '../api/models';
import { percent } from '../lib/format';

/** Success rate per bucket as a small line; buckets without traffic leave a gap. */
export function Sparkline({ buckets, label }: { buckets: SeriesBucket[]; label: string }) {
  const width = 120;
  const height = 28;
  const totals = buckets.map((b) => b.succeeded + b.failed);
  const succeeded = buckets.reduce((sum, b) => sum + b.succeeded, 0);
  const total = totals.reduce((sum, n) => sum + n, 0);
  const step = buckets.length > 1 ? width / (buckets.length - 1) : width;
  let d = '';
  let pen = false;
  buckets.forEach((bucket, i) => {
    if (totals[i] === 0) {
      pen = false;
      return;
    }
    const y = 2 + (1 - bucket.succeeded / totals[i]) * (height - 4);
    d += `${pen ? 'L' : 'M'}${(i * step).toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  const rate = percent(succeeded, total);
  return (
    <div className="row nowrap" role="img" aria-label={`${label}: ${total === 0 ? 'no attempts in 24 hours' : `${rate} of ${total} attempts succeeded in 24 hours`}`}>
      <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
        <line x1="0" x2={width} y1={height - 2} y2={height - 2} stroke="#e3e8ee" />
        {d && <path d={d} fill="none" stroke="var(--accent)" strokeWidth="1.6" strokeLinejoin="round" />}
      </svg>
      <span className={total === 0 ? 'muted' : ''}>{total === 0 ? 'No traffic' : rate}</span>
    </div>
  );
}
