import { PageHeader } from '../../shared/ui/states.tsx';

/** History. */
export default function HistoryPage() {
  return <PageHeader title="History" />;
}
