import { PageHeader } from '../../shared/ui/states.tsx';

/** Inspection. */
export default function InspectionPage() {
  return <PageHeader title="Inspection" />;
}
