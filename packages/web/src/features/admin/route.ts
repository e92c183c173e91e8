import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/admin/users`: Users. */
export const usersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'admin/users',
  beforeLoad: requireRole('admin'),
  component: lazyRouteComponent(() => import('./UsersPage.tsx')),
});

/** `/admin/api-keys`: API keys. */
export const apiKeysRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'admin/api-keys',
  beforeLoad: requireRole('engineer'),
  component: lazyRouteComponent(() => import('./ApiKeysPage.tsx')),
});
