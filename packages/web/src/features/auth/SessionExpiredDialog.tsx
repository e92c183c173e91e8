import { queryClient } from '../../app/query-client.ts';
import { useSession } from '../../app/session.ts';
import { Dialog, DialogContent } from '../../shared/ui/dialog.tsx';
import { SignInForm } from './SignInForm.tsx';

/**
 * Opens over the page when the session expires (a refused refresh or a 401): signing in again
 * keeps the page, its form contents and the viewer's state, and retries what failed.
 */
export function SessionExpiredDialog() {
  const session = useSession();
  const open = session.status === 'expired';
  return (
    <Dialog open={open}>
      <DialogContent title="Your session has ended" description="Sign in again to carry on; this page and your unsaved work stay as they are." onEscapeKeyDown={(e) => e.preventDefault()} onPointerDownOutside={(e) => e.preventDefault()}>
        <SignInForm username={session.kind === 'local' ? session.user?.name : undefined} onSignedIn={() => void queryClient.invalidateQueries()} />
      </DialogContent>
    </Dialog>
  );
}
