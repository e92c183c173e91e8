import { PageHeader } from '../../shared/ui/states.tsx';

/** Monitoring. */
export default function MonitoringPage() {
  return <PageHeader title="Monitoring" />;
}
