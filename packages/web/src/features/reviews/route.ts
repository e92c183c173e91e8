import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';
import { parseQueueSearch } from './review-draft.ts';
import type { QueueSearch } from './review-draft.ts';

/** `/reviews`: Review queue; the reason, the uncertainty policy and the open item in the URL. */
export const reviewsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'reviews',
  validateSearch: (search: Record<string, unknown>): QueueSearch => parseQueueSearch(search),
  beforeLoad: requireRole('operator'),
  component: lazyRouteComponent(() => import('./ReviewQueuePage.tsx')),
});
