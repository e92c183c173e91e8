import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';
import { parseHistorySearch } from './history-search.ts';
import type { HistorySearch } from './history-search.ts';

/** `/history`: History, its filters and sort in the URL (bookmarkable). */
export const historyRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'history',
  validateSearch: (search: Record<string, unknown>): HistorySearch => parseHistorySearch(search),
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./HistoryPage.tsx')),
});
