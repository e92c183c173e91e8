import { Link } from '@tanstack/react-router';
import { ShieldAlert } from 'lucide-react';
import { buttonVariants } from '../shared/ui/button.tsx';
import { useSession } from './session.ts';

/** Where {@link requireRole} sends users whose role may not open a page. */
export default function ForbiddenPage() {
  const session = useSession();
  return (
    <div className="mx-auto flex max-w-lg flex-col items-center gap-4 p-10 text-center">
      <ShieldAlert className="size-10 text-destructive" aria-hidden="true" />
      <h1 className="text-2xl font-semibold">Not allowed for your role</h1>
      <p className="text-muted-foreground">
        You are signed in as {session.user?.name} with the role <strong>{session.user?.role}</strong>. This page needs a higher role; ask an administrator if you need it.
      </p>
      <Link to="/inspect" className={buttonVariants()}>
        Go to Inspect
      </Link>
    </div>
  );
}
