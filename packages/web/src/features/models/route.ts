import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/models`: Models. */
export const modelsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'models',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./ModelsPage.tsx')),
});
