import { apiKeysRoute, usersRoute } from '../features/admin/route.ts';

/** The admin pages' routes. */
export const adminRoutes = [usersRoute, apiKeysRoute] as const;
