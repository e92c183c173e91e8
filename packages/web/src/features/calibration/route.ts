import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/calibration`: Calibration. */
export const calibrationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'calibration',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./CalibrationPage.tsx')),
});
