import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/monitoring`: Monitoring. */
export const monitoringRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'monitoring',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./MonitoringPage.tsx')),
});
