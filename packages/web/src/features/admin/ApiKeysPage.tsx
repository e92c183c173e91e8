import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { KeyRound } from 'lucide-react';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { ROLES, useSession } from '../../app/session.ts';
import type { Role } from '../../app/session.ts';
import { fieldErrors } from '../../shared/lib/error-sentences.ts';
import { dateTime } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { Dialog, DialogClose, DialogContent } from '../../shared/ui/dialog.tsx';
import { ConfirmDialog } from '../../shared/ui/confirm-dialog.tsx';
import { Field, Input, Select } from '../../shared/ui/form.tsx';
import { SecretOnce } from '../../shared/ui/secret-once.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { assignableRoles, keyState, ROLE_HINTS } from './roles.ts';

type ApiKey = components['schemas']['ApiKey'];

/** API keys (engineers): machines' keys with role and scopes; create (secret shown once) and revoke. */
export default function ApiKeysPage() {
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => data(api.GET('/api/xai-qc/api-keys', { params: { query: { limit: 500 } } })) });
  const revoke = useMutation({
    mutationFn: (id: string) => data(api.DELETE('/api/xai-qc/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: async (k) => {
      toast(`Revoked ${k.name}`, { tone: 'success', description: 'Requests with this key are refused from now on.' });
      setRevoking(null);
      await qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const items: ApiKey[] = keys.data?.items ?? [];

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="API keys"
        description="Keys for machines (line PLCs, scripts) that call the API. Each has a role and read or write scopes."
        actions={
          <Button onClick={() => setCreating(true)}>
            <KeyRound aria-hidden="true" /> Create API key
          </Button>
        }
      />
      {keys.error ? <ErrorMessage error={keys.error} /> : null}
      <Card>
        <Table aria-label="API keys">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Key prefix</Th>
              <Th>Role</Th>
              <Th>Scopes</Th>
              <Th>Status</Th>
              <Th>Last used</Th>
              <Th>Expires</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {keys.isPending
              ? Array.from({ length: 3 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={8}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((k) => {
                  const state = keyState(k);
                  return (
                    <tr key={k.id} className={state === 'active' ? undefined : 'text-muted-foreground'}>
                      <Td className="font-medium">{k.name}</Td>
                      <Td className="font-mono text-xs">{k.prefix}</Td>
                      <Td>{k.role}</Td>
                      <Td>{k.scopes.join(', ')}</Td>
                      <Td>
                        <Badge variant={state === 'active' ? 'good' : 'secondary'}>{state}</Badge>
                      </Td>
                      <Td className="whitespace-nowrap">{k.lastUsedAt ? dateTime(k.lastUsedAt) : 'never'}</Td>
                      <Td className="whitespace-nowrap">{k.expiresAt ? dateTime(k.expiresAt) : 'never'}</Td>
                      <Td className="text-right">
                        {state !== 'revoked' ? (
                          <Button size="sm" variant="outline" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                            Revoke
                          </Button>
                        ) : null}
                      </Td>
                    </tr>
                  );
                })}
          </tbody>
        </Table>
        {!keys.isPending && !keys.error && items.length === 0 ? (
          <EmptyState title="No API keys yet" className="m-4" action={<Button onClick={() => setCreating(true)}>Create API key</Button>}>
            Create a key for each machine that sends images or reads results, with the least role and scopes it needs.
          </EmptyState>
        ) : null}
      </Card>
      <CreateKeyDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        item={revoking}
        onClose={() => setRevoking(null)}
        title={(k) => `Revoke ${k.name}?`}
        description={() => 'Machines using this key are refused from now on. This cannot be undone.'}
        confirmLabel="Revoke key"
        onConfirm={(k) => revoke.mutate(k.id)}
        pending={revoke.isPending}
        error={revoke.error}
      />
    </div>
  );
}

function CreateKeyDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const qc = useQueryClient();
  const myRole = useSession().user?.role;
  const roles = assignableRoles(ROLES, myRole);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [scopes, setScopes] = useState<{ read: boolean; write: boolean }>({ read: true, write: true });
  const [expires, setExpires] = useState('');
  const [noScope, setNoScope] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      data(
        api.POST('/api/xai-qc/api-keys', {
          body: {
            name: name.trim(),
            role,
            scopes: (['read', 'write'] as const).filter((s) => scopes[s]),
            expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined,
          },
        }),
      ),
    onSuccess: async (res) => {
      setSecret(res.key);
      await qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const close = (o: boolean) => {
    onOpenChange(o);
    if (!o) {
      setName('');
      setRole('operator');
      setScopes({ read: true, write: true });
      setExpires('');
      setSecret(null);
      setNoScope(false);
      create.reset();
    }
  };
  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent title={secret ? 'API key created' : 'Create an API key'} description={secret ? undefined : 'The key is shown once, right after it is created.'}>
        {secret ? (
          <div className="flex flex-col gap-4">
            <SecretOnce label="API key" value={secret} />
            <p className="text-sm text-muted-foreground">Send it as the header Authorization: Bearer, or x-api-key.</p>
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
              const none = !scopes.read && !scopes.write;
              setNoScope(none);
              if (!none) create.mutate();
            }}
            className="flex flex-col gap-4"
            aria-label="Create an API key"
          >
            {create.error ? <ErrorMessage error={create.error} /> : null}
            <Field label="Name" hint="Which machine or script uses it, e.g. line-3-camera." errors={fieldErrors(create.error, 'name')}>
              {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />}
            </Field>
            <Field label="Role" hint={`${ROLE_HINTS[role]} At most your own role.`} errors={fieldErrors(create.error, 'role')}>
              {(p) => (
                <Select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                  {roles.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <fieldset className="flex flex-col gap-2" aria-describedby={noScope ? 'scope-err' : undefined}>
              <legend className="mb-1 text-sm font-medium">Scopes</legend>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" className="size-4 accent-primary" checked={scopes.read} onChange={(e) => setScopes((s) => ({ ...s, read: e.target.checked }))} /> read: GET and HEAD requests
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" className="size-4 accent-primary" checked={scopes.write} onChange={(e) => setScopes((s) => ({ ...s, write: e.target.checked }))} /> write: every other request (inspect, review, upload)
              </label>
              {noScope ? (
                <p id="scope-err" role="alert" className="text-xs text-destructive">
                  Choose at least one scope.
                </p>
              ) : null}
            </fieldset>
            <Field label="Expires on (optional)" hint="Leave empty for a key that does not expire." errors={fieldErrors(create.error, 'expiresAt')}>
              {(p) => <Input {...p} type="date" value={expires} onChange={(e) => setExpires(e.target.value)} min={new Date().toISOString().slice(0, 10)} />}
            </Field>
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? 'Creating\u2026' : 'Create key'}
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
