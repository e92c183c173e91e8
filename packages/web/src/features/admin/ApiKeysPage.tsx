import { PageHeader } from '../../shared/ui/states.tsx';

/** API keys. */
export default function ApiKeysPage() {
  return <PageHeader title="API keys" />;
}
