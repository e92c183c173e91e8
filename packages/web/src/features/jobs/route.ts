import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/jobs`: Jobs. */
export const jobsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'jobs',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./JobsPage.tsx')),
});
