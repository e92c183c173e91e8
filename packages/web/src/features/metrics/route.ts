import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';
import { parseMetricsSearch } from './metrics-search.ts';

/**
 * `/dashboard?from=&to=&model=&version=&group=`: the metrics dashboard (`/metrics` is the
 * server's Prometheus endpoint). The range, model, version and bucket size live in the URL.
 */
export const metricsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'dashboard',
  validateSearch: parseMetricsSearch,
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./MetricsPage.tsx')),
});
