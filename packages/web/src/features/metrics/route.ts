import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/dashboard`: the metrics dashboard (`/metrics` is the server's Prometheus endpoint). */
export const metricsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'dashboard',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./MetricsPage.tsx')),
});
