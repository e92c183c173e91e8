import { createRoute, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { rootRoute } from '../../app/root-route.tsx';
import { getSession } from '../../app/session.ts';

/** `/sign-in?next=/history`: the sign-in page; signed-in users go on to `next`. */
export const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'sign-in',
  validateSearch: (search: Record<string, unknown>): { next?: string } => (typeof search.next === 'string' ? { next: search.next } : {}),
  beforeLoad: ({ search }) => {
    if (getSession().status === 'signed-in') throw redirect({ href: search.next && search.next.startsWith('/') && !search.next.startsWith('//') ? search.next : '/inspect' });
  },
  component: lazyRouteComponent(() => import('./SignInPage.tsx')),
});
