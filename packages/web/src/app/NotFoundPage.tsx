import { Link } from '@tanstack/react-router';
import { buttonVariants } from '../shared/ui/button.tsx';

/** Shown for an address the app does not know. */
export function NotFoundPage() {
  return (
    <main className="mx-auto flex max-w-lg flex-col items-center gap-4 p-10 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-muted-foreground">This address does not lead to a page of XAI-QC.</p>
      <Link to="/inspect" className={buttonVariants()}>
        Go to Inspect
      </Link>
    </main>
  );
}
