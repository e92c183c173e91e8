import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** Search of the datasets page: the dataset whose details are open. */
export interface DatasetsSearch {
  id?: string;
}

/** `/datasets`: Datasets. */
export const datasetsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'datasets',
  beforeLoad: requireRole('viewer'),
  validateSearch: (s: Record<string, unknown>): DatasetsSearch => ({ id: typeof s.id === 'string' && /^[0-9a-f-]{36}$/i.test(s.id) ? s.id : undefined }),
  component: lazyRouteComponent(() => import('./DatasetsPage.tsx')),
});
