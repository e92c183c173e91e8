import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { fieldErrors } from '../../shared/lib/error-sentences.ts';
import { dateTime, duration } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Dialog, DialogClose, DialogContent } from '../../shared/ui/dialog.tsx';
import { ConfirmDialog } from '../../shared/ui/confirm-dialog.tsx';
import { Field, Input } from '../../shared/ui/form.tsx';
import { BAD_BADGE } from './LevelBadge.tsx';
import { SecretOnce } from '../../shared/ui/secret-once.tsx';
import { EmptyState, ErrorMessage, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';

type Webhook = components['schemas']['Webhook'];

/** Webhooks (engineers): create (the signing secret shown once), delete, and the delivery log of one. */
export function WebhooksTab({ selected, onSelect }: { selected?: string; onSelect: (id: string | undefined) => void }) {
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => data(api.GET('/api/xai-qc/webhooks')) });
  const remove = useMutation({
    mutationFn: (id: string) => api.DELETE('/api/xai-qc/webhooks/{id}', { params: { path: { id } } }),
    onSuccess: async (_, id) => {
      setDeleting(null);
      if (id === selected) onSelect(undefined);
      await qc.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  const items: Webhook[] = hooks.data?.items ?? [];
  const current = items.find((h) => h.id === selected);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-muted-foreground">Each alert is POSTed as JSON to every webhook, signed with HMAC-SHA256 in the x-xqc-signature header, and retried with backoff.</p>
        <Button onClick={() => setCreating(true)}>
          <Plus aria-hidden="true" /> Add webhook
        </Button>
      </div>
      {hooks.error ? <ErrorMessage error={hooks.error} /> : null}
      <Card>
        <Table aria-label="Webhooks">
          <thead>
            <tr>
              <Th>Address</Th>
              <Th>Description</Th>
              <Th>Created</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {hooks.isPending
              ? Array.from({ length: 2 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={4}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((h) => (
                  <tr key={h.id} className={h.id === selected ? 'bg-muted/50' : undefined}>
                    <Td className="max-w-md font-mono text-xs break-all">{h.url}</Td>
                    <Td>{h.description ?? '\u2013'}</Td>
                    <Td className="whitespace-nowrap">{dateTime(h.createdAt)}</Td>
                    <Td>
                      <div className="flex justify-end gap-2">
                        <Button size="sm" variant={h.id === selected ? 'secondary' : 'outline'} onClick={() => onSelect(h.id === selected ? undefined : h.id)} aria-expanded={h.id === selected} aria-label={`Deliveries of ${h.url}`}>
                          Deliveries
                        </Button>
                        <Button size="sm" variant="ghost" onClick={() => setDeleting(h)} aria-label={`Delete webhook ${h.url}`}>
                          <Trash2 aria-hidden="true" />
                        </Button>
                      </div>
                    </Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!hooks.isPending && !hooks.error && items.length === 0 ? (
          <EmptyState title="No webhooks yet" className="m-4" action={<Button onClick={() => setCreating(true)}>Add webhook</Button>}>
            Add the address of your pager, chat or ticket system to receive alerts there.
          </EmptyState>
        ) : null}
      </Card>
      {current ? <Deliveries hook={current} /> : null}
      <CreateWebhookDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        item={deleting}
        onClose={() => setDeleting(null)}
        title={() => 'Delete this webhook?'}
        description={(h) => `${h.url} and its delivery log are removed.`}
        confirmLabel="Delete webhook"
        onConfirm={(h) => remove.mutate(h.id)}
        pending={remove.isPending}
        error={remove.error}
      />
    </div>
  );
}

function Deliveries({ hook }: { hook: Webhook }) {
  const log = useQuery({ queryKey: ['webhooks', hook.id, 'deliveries'], refetchInterval: 15_000, queryFn: () => data(api.GET('/api/xai-qc/webhooks/{id}/deliveries', { params: { path: { id: hook.id }, query: { limit: 200 } } })) });
  const items = log.data?.items ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Delivery log</CardTitle>
        <CardDescription className="break-all">Every attempt to {hook.url}, newest first. Retries of one delivery share its id.</CardDescription>
      </CardHeader>
      <CardContent>
        {log.error ? <ErrorMessage error={log.error} /> : null}
        {log.isPending ? <Skeleton className="h-16 w-full" /> : null}
        {!log.isPending && items.length === 0 ? <p className="text-sm text-muted-foreground">No deliveries yet: they start with the next alert.</p> : null}
        {items.length ? (
          <Table aria-label="Deliveries">
            <thead>
              <tr>
                <Th>Sent</Th>
                <Th>Delivery</Th>
                <Th className="text-right">Attempt</Th>
                <Th>Answer</Th>
                <Th className="text-right">Time</Th>
                <Th>Error</Th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <Td className="whitespace-nowrap">{dateTime(d.createdAt)}</Td>
                  <Td className="font-mono text-xs">{d.deliveryId.slice(0, 8)}</Td>
                  <Td className="text-right tabular-nums">{d.attempt}</Td>
                  <Td>
                    <Badge variant={d.ok ? 'good' : 'bad'} className={d.ok ? undefined : BAD_BADGE}>{d.statusCode ?? 'no answer'}</Badge>
                  </Td>
                  <Td className="text-right tabular-nums">{duration(d.durationMs)}</Td>
                  <Td className="max-w-xs text-xs break-words text-destructive">{d.error ?? ''}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </CardContent>
    </Card>
  );
}

function CreateWebhookDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const qc = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [bad, setBad] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => data(api.POST('/api/xai-qc/webhooks', { body: { url: url.trim(), description: description.trim() || undefined } })),
    onSuccess: async (h) => {
      setSecret(h.secret);
      await qc.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  const close = (o: boolean) => {
    onOpenChange(o);
    if (!o) {
      setUrl('');
      setDescription('');
      setSecret(null);
      setBad(false);
      create.reset();
    }
  };
  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent title={secret ? 'Webhook added' : 'Add a webhook'} description={secret ? undefined : 'The server creates a signing secret and shows it once.'}>
        {secret ? (
          <div className="flex flex-col gap-4">
            <SecretOnce label="Signing secret" value={secret} />
            <p className="text-sm text-muted-foreground">Check each request: x-xqc-signature is sha256= and the hex HMAC-SHA256 of the raw body with this secret.</p>
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </div>
          </div>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const invalid = !/^https?:\/\/\S+$/i.test(url.trim());
              setBad(invalid);
              if (!invalid) create.mutate();
            }}
            className="flex flex-col gap-4"
            aria-label="Add a webhook"
            noValidate
          >
            {create.error ? <ErrorMessage error={create.error} /> : null}
            <Field label="Address (URL)" hint="http:// or https://, without a user name or password." errors={[...(bad ? ['Enter an address that starts with http:// or https://.'] : []), ...fieldErrors(create.error, 'url')]}>
              {(p) => <Input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.example.com/xqc" maxLength={2000} />}
            </Field>
            <Field label="Description (optional)" errors={fieldErrors(create.error, 'description')}>
              {(p) => <Input {...p} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} placeholder="line 3 pager" />}
            </Field>
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? 'Adding\u2026' : 'Add webhook'}
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
