import { PageHeader } from '../../shared/ui/states.tsx';

/** Review queue. */
export default function ReviewQueuePage() {
  return <PageHeader title="Review queue" />;
}
