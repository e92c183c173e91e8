import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/thresholds`: Thresholds. */
export const thresholdsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'thresholds',
  beforeLoad: requireRole('engineer'),
  component: lazyRouteComponent(() => import('./ThresholdsPage.tsx')),
});
