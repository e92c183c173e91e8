import { PageHeader } from '../../shared/ui/states.tsx';

/** Metrics. */
export default function MetricsPage() {
  return <PageHeader title="Metrics" />;
}
