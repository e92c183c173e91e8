import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';
import { isDay } from '../metrics/metrics-search.ts';

/** Search of the calibration page: the classifier, its version (default the active one), an optional range of reviews (UTC days). */
export interface CalibrationSearch {
  model?: string;
  version?: string;
  from?: string;
  to?: string;
}

const str = (v: unknown, max: number) => (typeof v === 'string' && v.trim() && v.length <= max ? v.trim() : undefined);

/** Keeps the valid search values; a reversed range is turned round. */
export function parseCalibrationSearch(raw: Record<string, unknown>): CalibrationSearch {
  const out: CalibrationSearch = {};
  const model = str(raw.model, 200);
  if (model) out.model = model;
  const version = model ? str(raw.version, 100) : undefined;
  if (version) out.version = version;
  let from = isDay(raw.from) ? raw.from : undefined;
  let to = isDay(raw.to) ? raw.to : undefined;
  if (from && to && from > to) [from, to] = [to, from];
  if (from) out.from = from;
  if (to) out.to = to;
  return out;
}

/** `/calibration?model=&version=&from=&to=`: calibration of a classifier version on the reviews. */
export const calibrationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'calibration',
  validateSearch: parseCalibrationSearch,
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./CalibrationPage.tsx')),
});
