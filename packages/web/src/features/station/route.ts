import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/station`: the station camera (operators and up: it inspects). */
export const stationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'station',
  beforeLoad: requireRole('operator'),
  component: lazyRouteComponent(() => import('./StationPage.tsx')),
});
