import { PageHeader } from '../../shared/ui/states.tsx';

/** Inspect. */
export default function InspectPage() {
  return <PageHeader title="Inspect" />;
}
