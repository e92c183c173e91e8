/**
 * The router (TanStack Router, typed): the route tree from each feature's `route.ts`. Pages
 * load lazily, one chunk per page, so the first load carries only the shell.
 */
import { createRoute, createRouter, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { adminRoutes } from './admin-routes.ts';
import { appRoute, rootRoute } from './root-route.tsx';
import { getSession, hasRole } from './session.ts';
import { queryClient } from './query-client.ts';
import { signInRoute } from '../features/auth/route.ts';
import { calibrationRoute } from '../features/calibration/route.ts';
import { datasetsRoute } from '../features/datasets/route.ts';
import { historyRoute } from '../features/history/route.ts';
import { inspectRoute } from '../features/inspect/route.ts';
import { inspectionRoute } from '../features/inspection/route.ts';
import { jobsRoute } from '../features/jobs/route.ts';
import { knowledgeRoute } from '../features/knowledge/route.ts';
import { metricsRoute } from '../features/metrics/route.ts';
import { modelRoute, modelsRoute } from '../features/models/route.ts';
import { monitoringRoute } from '../features/monitoring/route.ts';
import { reportsRoute } from '../features/reports/route.ts';
import { reviewsRoute } from '../features/reviews/route.ts';
import { runRoute, runsRoute } from '../features/runs/route.ts';
import { stationRoute } from '../features/station/route.ts';
import { thresholdsRoute } from '../features/thresholds/route.ts';

/** `/`: Inspect for those who may inspect, History for viewers. */
const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: hasRole(getSession().user?.role, 'operator') ? '/inspect' : '/history' });
  },
});

/** `/forbidden`: where pages send roles that may not open them. */
const forbiddenRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'forbidden',
  component: lazyRouteComponent(() => import('./ForbiddenPage.tsx')),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([
    indexRoute,
    forbiddenRoute,
    inspectRoute,
    stationRoute,
    inspectionRoute,
    historyRoute,
    reviewsRoute,
    metricsRoute,
    calibrationRoute,
    thresholdsRoute,
    monitoringRoute,
    modelsRoute,
    modelRoute,
    datasetsRoute,
    runsRoute,
    runRoute,
    jobsRoute,
    reportsRoute,
    knowledgeRoute,
    ...adminRoutes,
  ]),
]);

/** The app's router. */
export const router = createRouter({
  routeTree,
  context: { queryClient },
  defaultPreload: 'intent',
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
