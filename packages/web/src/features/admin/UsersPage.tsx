import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { UserPlus } from 'lucide-react';
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
import { Field, Input, Select } from '../../shared/ui/form.tsx';
import { SecretOnce } from '../../shared/ui/secret-once.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { BAD_BADGE } from '../monitoring/LevelBadge.tsx';
import { ROLE_HINTS } from './roles.ts';

type User = components['schemas']['User'];

/** Users (admins): create, change role, disable or enable. The last admin rule's refusal is shown as a sentence. */
export default function UsersPage() {
  const qc = useQueryClient();
  const me = useSession().user;
  const [creating, setCreating] = useState(false);
  const users = useQuery({ queryKey: ['users'], queryFn: () => data(api.GET('/api/xai-qc/users', { params: { query: { limit: 500 } } })) });
  const update = useMutation({
    mutationFn: (v: { id: string; role?: Role; disabled?: boolean }) => data(api.PATCH('/api/xai-qc/users/{id}', { params: { path: { id: v.id } }, body: { role: v.role, disabled: v.disabled } })),
    onSuccess: async (u) => {
      toast(`${u.username}: ${u.disabled ? 'disabled' : `role ${u.role}`}`, { tone: 'success' });
      await qc.invalidateQueries({ queryKey: ['users'] });
    },
    onError: async () => {
      await qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const items: User[] = users.data?.items ?? [];

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Users"
        description="People who sign in to this account and what their role lets them do."
        actions={
          <Button onClick={() => setCreating(true)}>
            <UserPlus aria-hidden="true" /> Create user
          </Button>
        }
      />
      {users.error ? <ErrorMessage error={users.error} /> : null}
      {update.error ? <ErrorMessage error={update.error} /> : null}
      <Card>
        <Table aria-label="Users">
          <thead>
            <tr>
              <Th>User</Th>
              <Th>Role</Th>
              <Th>Status</Th>
              <Th>Created</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {users.isPending
              ? Array.from({ length: 3 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={5}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((u) => (
                  <tr key={u.id}>
                    <Td>
                      <p className="font-medium">
                        {u.username}
                        {u.id === me?.subject ? <span className="ml-1 text-xs text-muted-foreground">(you)</span> : null}
                      </p>
                      {u.email ? <p className="text-xs text-muted-foreground">{u.email}</p> : null}
                    </Td>
                    <Td>
                      <Select
                        aria-label={`Role of ${u.username}`}
                        className="h-8 w-36 py-1"
                        value={u.role}
                        disabled={update.isPending}
                        onChange={(e) => update.mutate({ id: u.id, role: e.target.value as Role })}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </Select>
                    </Td>
                    <Td>{u.disabled ? <Badge variant="bad" className={BAD_BADGE}>
                          disabled
                        </Badge> : <Badge variant="good">active</Badge>}</Td>
                    <Td className="whitespace-nowrap">{dateTime(u.createdAt)}</Td>
                    <Td className="text-right">
                      <Button size="sm" variant="outline" onClick={() => update.mutate({ id: u.id, disabled: !u.disabled })} disabled={update.isPending} aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}>
                        {u.disabled ? 'Enable' : 'Disable'}
                      </Button>
                    </Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!users.isPending && !users.error && items.length === 0 ? (
          <EmptyState title="No users" className="m-4">
            Create a user for each person who signs in.
          </EmptyState>
        ) : null}
      </Card>
      <CreateUserDialog open={creating} onOpenChange={setCreating} />
    </div>
  );
}

function CreateUserDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const qc = useQueryClient();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<{ username: string; password?: string } | null>(null);
  const create = useMutation({
    mutationFn: () => data(api.POST('/api/xai-qc/users', { body: { username: username.trim(), role, email: email.trim() || undefined, password: password || undefined } })),
    onSuccess: async (res) => {
      await qc.invalidateQueries({ queryKey: ['users'] });
      toast(`Created ${res.user.username}`, { tone: 'success' });
      setCreated({ username: res.user.username, password: res.password });
    },
  });
  const close = (o: boolean) => {
    onOpenChange(o);
    if (!o) {
      setUsername('');
      setEmail('');
      setRole('operator');
      setPassword('');
      setCreated(null);
      create.reset();
    }
  };
  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent title={created ? `${created.username} was created` : 'Create a user'} description={created ? undefined : 'Leave the password empty to have one generated.'}>
        {created ? (
          <div className="flex flex-col gap-4">
            {created.password ? <SecretOnce label="Generated password" value={created.password} /> : <p className="text-sm">They sign in with the password you chose.</p>}
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
              create.mutate();
            }}
            className="flex flex-col gap-4"
            aria-label="Create a user"
          >
            {create.error ? <ErrorMessage error={create.error} /> : null}
            <Field label="User name" hint="Letters, digits and . _ @ -; stored in lower case." errors={fieldErrors(create.error, 'username')}>
              {(p) => <Input {...p} value={username} onChange={(e) => setUsername(e.target.value)} required minLength={2} maxLength={64} autoComplete="off" />}
            </Field>
            <Field label="Email (optional)" errors={fieldErrors(create.error, 'email')}>
              {(p) => <Input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} />}
            </Field>
            <Field label="Role" hint={ROLE_HINTS[role]} errors={fieldErrors(create.error, 'role')}>
              {(p) => (
                <Select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Password (optional)" hint="At least 12 characters." errors={fieldErrors(create.error, 'password')}>
              {(p) => <Input {...p} type="password" value={password} onChange={(e) => setPassword(e.target.value)} minLength={12} autoComplete="new-password" />}
            </Field>
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? 'Creating\u2026' : 'Create user'}
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
