import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/reports`: Reports. */
export const reportsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'reports',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./ReportsPage.tsx')),
});
