import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/runs`: Training runs. */
export const runsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'runs',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./RunsPage.tsx')),
});

/** `/runs/$runId`: one run with its live per-epoch curves and artifacts. */
export const runRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'runs/$runId',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./RunPage.tsx')),
});
