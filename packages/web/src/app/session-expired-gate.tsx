/**
 * The sign-in dialog that opens over the page when the session expires, loaded only when it is
 * needed: the dialog (Radix Dialog, its focus trap and scroll lock) and the sign-in form are not
 * part of the first load. The chunk is fetched once the page is idle, 5 s after it has loaded,
 * so an expiry later shows the dialog without waiting for the network.
 */
import { lazy, Suspense, useEffect } from 'react';
import { useSession } from './session.ts';
import { whenIdle } from './idle.ts';

const load = () => import('../features/auth/SessionExpiredDialog.tsx');
const SessionExpiredDialog = lazy(() => load().then((m) => ({ default: m.SessionExpiredDialog })));

/** Renders the session-expired dialog while the session is expired, nothing otherwise. */
export function SessionExpiredGate() {
  const expired = useSession().status === 'expired';
  useEffect(() => whenIdle(() => void load().catch(() => undefined), { afterMs: 5000 }), []);
  return expired ? (
    <Suspense fallback={null}>
      <SessionExpiredDialog />
    </Suspense>
  ) : null;
}
