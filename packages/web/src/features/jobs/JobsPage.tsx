import { PageHeader } from '../../shared/ui/states.tsx';

/** Jobs. */
export default function JobsPage() {
  return <PageHeader title="Jobs" />;
}
