/**
 * The route tree's trunk: the root route, the signed-in layout route (`appRoute`, the app
 * shell; every page but sign-in hangs below it) and {@link requireRole} for pages a role may
 * not see. Feature routes (`features/<feature>/route.ts`) import from here; app/router.tsx
 * assembles them.
 */
import { createRootRouteWithContext, createRoute, Outlet, redirect } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import { AppShell } from './AppShell.tsx';
import { getSession, hasRole } from './session.ts';
import type { Role } from './session.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

/** What every route's loader and beforeLoad receive. */
export interface RouterContext {
  queryClient: QueryClient;
}

/** The root: renders the matched page. */
export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

/** The signed-in layout: redirects to sign-in (remembering where to come back) when signed out. */
export const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: ({ location }) => {
    if (getSession().status === 'signed-out') throw redirect({ to: '/sign-in', search: { next: location.href } });
  },
  component: AppShell,
});

/** A `beforeLoad` that sends users below `min` to the "not allowed" page. */
export function requireRole(min: Role) {
  return () => {
    if (!hasRole(getSession().user?.role, min)) throw redirect({ to: '/forbidden' });
  };
}
