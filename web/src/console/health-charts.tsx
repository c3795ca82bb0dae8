import type { SeriesBucket } from '../api/models';
import { SeriesCharts } from '../portal/charts';

export default function HealthCharts({ buckets }: { buckets: SeriesBucket[] }) {
  return <SeriesCharts buckets={buckets} />;
}
