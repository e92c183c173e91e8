import { PageHeader } from '../../shared/ui/states.tsx';

/** Datasets. */
export default function DatasetsPage() {
  return <PageHeader title="Datasets" />;
}
