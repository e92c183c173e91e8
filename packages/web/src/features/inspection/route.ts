import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/inspections/$inspectionId`: Inspection. */
export const inspectionRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'inspections/$inspectionId',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./InspectionPage.tsx')),
});
