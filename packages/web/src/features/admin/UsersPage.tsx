import { PageHeader } from '../../shared/ui/states.tsx';

/** Users. */
export default function UsersPage() {
  return <PageHeader title="Users" />;
}
