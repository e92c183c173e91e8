import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/reviews`: Review queue. */
export const reviewsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'reviews',
  beforeLoad: requireRole('operator'),
  component: lazyRouteComponent(() => import('./ReviewQueuePage.tsx')),
});
