import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute, requireRole } from '../../app/root-route.tsx';

/** The tabs of the monitoring page. */
export const MONITORING_TABS = ['monitors', 'alerts', 'rules', 'webhooks'] as const;
/** A tab of the monitoring page. */
export type MonitoringTab = (typeof MONITORING_TABS)[number];

/** Search of the monitoring page: the tab, the monitor whose results and the webhook whose deliveries are open. */
export interface MonitoringSearch {
  tab?: MonitoringTab;
  monitor?: string;
  webhook?: string;
}

const uuid = (v: unknown) => (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined);

/** `/monitoring`: Monitoring. */
export const monitoringRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'monitoring',
  beforeLoad: requireRole('viewer'),
  validateSearch: (s: Record<string, unknown>): MonitoringSearch => ({
    tab: (MONITORING_TABS as readonly unknown[]).includes(s.tab) ? (s.tab as MonitoringTab) : undefined,
    monitor: uuid(s.monitor),
    webhook: uuid(s.webhook),
  }),
  component: lazyRouteComponent(() => import('./MonitoringPage.tsx')),
});
