import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/models`: Models. */
export const modelsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'models',
  beforeLoad: requireRole('viewer'),
  component: lazyRouteComponent(() => import('./ModelsPage.tsx')),
});

/** Search of a model page: the version whose card is shown, and the two versions compared. */
export interface ModelSearch {
  version?: string;
  a?: string;
  b?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);

/** `/models/$modelName`: a model's versions, card and comparison. */
export const modelRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'models/$modelName',
  beforeLoad: requireRole('viewer'),
  validateSearch: (s: Record<string, unknown>): ModelSearch => ({ version: str(s.version), a: str(s.a), b: str(s.b) }),
  component: lazyRouteComponent(() => import('./ModelPage.tsx')),
});
