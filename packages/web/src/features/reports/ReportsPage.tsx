import { PageHeader } from '../../shared/ui/states.tsx';

/** Reports. */
export default function ReportsPage() {
  return <PageHeader title="Reports" />;
}
