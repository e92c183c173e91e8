import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';
import { parseCalibrationSearch } from '../calibration/route.ts';

/** Search of the threshold page: model, version (default the active one), range of reviews (UTC days). */
export type { CalibrationSearch as ThresholdSearch } from '../calibration/route.ts';

/** `/thresholds?model=&version=&from=&to=`: threshold tuning on the reviews (engineers). */
export const thresholdsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'thresholds',
  validateSearch: parseCalibrationSearch,
  beforeLoad: requireRole('engineer'),
  component: lazyRouteComponent(() => import('./ThresholdsPage.tsx')),
});
