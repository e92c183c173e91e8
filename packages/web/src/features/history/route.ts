import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/history`: History. */
export const historyRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'history',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./HistoryPage.tsx')),
});
