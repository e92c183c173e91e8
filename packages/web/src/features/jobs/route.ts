import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';
import { JOB_STATUSES } from './job-view.ts';
import type { JobStatus } from './job-view.ts';

/** Search of the jobs page: the status filter. */
export interface JobsSearch {
  status?: JobStatus;
}

/** `/jobs`: Jobs. */
export const jobsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'jobs',
  beforeLoad: requireRole('viewer'),
  validateSearch: (s: Record<string, unknown>): JobsSearch => ({ status: (JOB_STATUSES as readonly unknown[]).includes(s.status) ? (s.status as JobStatus) : undefined }),
  component: lazyRouteComponent(() => import('./JobsPage.tsx')),
});
