import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/inspect`: Inspect. */
export const inspectRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'inspect',
  beforeLoad: requireRole('operator'),
  component: lazyRouteComponent(() => import('./InspectPage.tsx')),
});
