import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/datasets`: Datasets. */
export const datasetsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'datasets',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./DatasetsPage.tsx')),
});
