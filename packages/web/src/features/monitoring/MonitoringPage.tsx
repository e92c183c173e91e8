import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import { api } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { PageHeader } from '../../shared/ui/states.tsx';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '../../shared/ui/tabs.tsx';
import { AlertRulesTab } from './AlertRulesTab.tsx';
import { AlertsTab } from './AlertsTab.tsx';
import { BAD_BADGE } from './LevelBadge.tsx';
import { MonitorsTab } from './MonitorsTab.tsx';
import { monitoringRoute } from './route.ts';
import type { MonitoringTab } from './route.ts';
import { WebhooksTab } from './WebhooksTab.tsx';

/** Monitoring: drift monitors and their results, alerts, alert rules and webhooks. */
export default function MonitoringPage() {
  const engineer = hasRole(useSession().user?.role, 'engineer');
  const search = monitoringRoute.useSearch();
  const navigate = useNavigate({ from: monitoringRoute.fullPath });
  const tab: MonitoringTab = search.tab && (engineer || search.tab === 'monitors' || search.tab === 'alerts') ? search.tab : 'monitors';
  const open = useQuery({ queryKey: ['alerts', 'open'], queryFn: () => data(api.GET('/api/xai-qc/alerts', { params: { query: { status: 'open', limit: 500 } } })) });
  const openCount = open.data?.items.length ?? 0;

  return (
    <div className="flex flex-col gap-2">
      <PageHeader title="Monitoring" description="Watch each model's inputs and outputs for drift, estimate its performance before reviews arrive, and get alerted." />
      <Tabs value={tab} onValueChange={(v) => void navigate({ search: (s) => ({ ...s, tab: v as MonitoringTab }), replace: true })}>
        <TabsList aria-label="Monitoring sections">
          <TabsTrigger value="monitors">Monitors</TabsTrigger>
          <TabsTrigger value="alerts">
            Alerts
            {openCount ? (
              <Badge variant="bad" className={BAD_BADGE} aria-label={`${openCount} open`}>
                {openCount}
              </Badge>
            ) : null}
          </TabsTrigger>
          {engineer ? <TabsTrigger value="rules">Alert rules</TabsTrigger> : null}
          {engineer ? <TabsTrigger value="webhooks">Webhooks</TabsTrigger> : null}
        </TabsList>
        <TabsContent value="monitors">
          <MonitorsTab selected={search.monitor} onSelect={(monitor) => void navigate({ search: (s) => ({ ...s, monitor }), replace: true, resetScroll: false })} />
        </TabsContent>
        <TabsContent value="alerts">
          <AlertsTab />
        </TabsContent>
        {engineer ? (
          <TabsContent value="rules">
            <AlertRulesTab />
          </TabsContent>
        ) : null}
        {engineer ? (
          <TabsContent value="webhooks">
            <WebhooksTab selected={search.webhook} onSelect={(webhook) => void navigate({ search: (s) => ({ ...s, webhook }), replace: true, resetScroll: false })} />
          </TabsContent>
        ) : null}
      </Tabs>
    </div>
  );
}
