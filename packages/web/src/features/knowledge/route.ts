import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** `/knowledge`: the knowledge base and the answers marked unhelpful (engineers and up). */
export const knowledgeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'knowledge',
  beforeLoad: requireRole('engineer'),
  component: lazyRouteComponent(() => import('./KnowledgePage.tsx')),
});
