import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { dateTime, num } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { Field, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { BAD_BADGE } from './LevelBadge.tsx';
import { sortAlerts } from './monitoring.ts';

type Alert = components['schemas']['Alert'];
const STATUS_VARIANT = { open: 'bad', acknowledged: 'warn', resolved: 'secondary' } as const;

/** Alerts: open ones first; acknowledge and resolve (operators). */
export function AlertsTab() {
  const operator = hasRole(useSession().user?.role, 'operator');
  const qc = useQueryClient();
  const [status, setStatus] = useState<'' | Alert['status']>('');
  const alerts = useQuery({
    queryKey: ['alerts', { status }],
    queryFn: () => data(api.GET('/api/xai-qc/alerts', { params: { query: { status: status || undefined, limit: 500 } } })),
  });
  const act = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'acknowledge' | 'resolve' }) =>
      action === 'acknowledge'
        ? data(api.POST('/api/xai-qc/alerts/{id}/acknowledge', { params: { path: { id } } }))
        : data(api.POST('/api/xai-qc/alerts/{id}/resolve', { params: { path: { id } } })),
    onSuccess: async (a) => {
      toast(`${a.ruleName}: ${a.status}`, { tone: 'success' });
      await qc.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
  const items = sortAlerts(alerts.data?.items ?? []);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <p className="text-sm text-muted-foreground">An alert is raised when a rule's figure breaks its threshold for long enough. Acknowledge it when someone is on it; resolve it when it is fixed.</p>
        <Field label="Status" className="w-44">
          {(p) => (
            <Select {...p} value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
              <option value="">All</option>
              <option value="open">open</option>
              <option value="acknowledged">acknowledged</option>
              <option value="resolved">resolved</option>
            </Select>
          )}
        </Field>
      </div>
      {alerts.error ? <ErrorMessage error={alerts.error} /> : null}
      {act.error ? <ErrorMessage error={act.error} /> : null}
      <Card>
        <Table aria-label="Alerts">
          <thead>
            <tr>
              <Th>Rule</Th>
              <Th>Figure</Th>
              <Th>Model</Th>
              <Th>Status</Th>
              <Th>Fired</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {alerts.isPending
              ? Array.from({ length: 2 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={6}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((a) => (
                  <tr key={a.id} className={a.status === 'open' ? 'bg-destructive/5' : undefined}>
                    <Td className="font-medium">{a.ruleName}</Td>
                    <Td>
                      {a.metric} was <strong className="tabular-nums">{num(a.value)}</strong> ({a.comparator} {num(a.threshold)})
                    </Td>
                    <Td>{a.model ? `${a.model.name}${a.model.version ? ` ${a.model.version}` : ''}` : 'all models'}</Td>
                    <Td>
                      <Badge variant={STATUS_VARIANT[a.status]} className={a.status === 'open' ? BAD_BADGE : undefined}>
                        {a.status}
                      </Badge>
                      {a.acknowledgedBy && a.status === 'acknowledged' ? <p className="text-xs text-muted-foreground">by {a.acknowledgedBy}</p> : null}
                    </Td>
                    <Td className="whitespace-nowrap">{dateTime(a.firedAt)}</Td>
                    <Td>
                      {operator ? (
                        <div className="flex justify-end gap-2">
                          {a.status === 'open' ? (
                            <Button size="sm" variant="outline" onClick={() => act.mutate({ id: a.id, action: 'acknowledge' })} disabled={act.isPending} aria-label={`Acknowledge ${a.ruleName}`}>
                              Acknowledge
                            </Button>
                          ) : null}
                          {a.status !== 'resolved' ? (
                            <Button size="sm" variant="outline" onClick={() => act.mutate({ id: a.id, action: 'resolve' })} disabled={act.isPending} aria-label={`Resolve ${a.ruleName}`}>
                              Resolve
                            </Button>
                          ) : null}
                        </div>
                      ) : null}
                    </Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!alerts.isPending && !alerts.error && items.length === 0 ? (
          <EmptyState title={status ? `No ${status} alerts` : 'No alerts'} className="m-4">
            Nothing needs attention. Alert rules raise alerts here, on the live feed and to webhooks.
          </EmptyState>
        ) : null}
      </Card>
    </div>
  );
}
