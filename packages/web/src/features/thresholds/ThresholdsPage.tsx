import { PageHeader } from '../../shared/ui/states.tsx';

/** Thresholds. */
export default function ThresholdsPage() {
  return <PageHeader title="Thresholds" />;
}
