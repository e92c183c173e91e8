import { PageHeader } from '../../shared/ui/states.tsx';

/** Models. */
export default function ModelsPage() {
  return <PageHeader title="Models" />;
}
