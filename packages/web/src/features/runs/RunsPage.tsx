import { PageHeader } from '../../shared/ui/states.tsx';

/** Training runs. */
export default function RunsPage() {
  return <PageHeader title="Training runs" />;
}
