import { useState } from 'react';
import { Button } from '../../shared/ui/button.tsx';
import { Field, Input, Textarea } from '../../shared/ui/form.tsx';
import { ErrorMessage } from '../../shared/ui/states.tsx';
import { signInLocal, signInToken } from './sign-in.ts';

/** The sign-in form: local account, or a bearer token from an identity provider. */
export function SignInForm({ onSignedIn, username: fixedUser }: { onSignedIn: () => void; username?: string }) {
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [username, setUsername] = useState(fixedUser ?? '');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'password') await signInLocal(username, password);
      else await signInToken(token);
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-4" aria-label="Sign in">
      {mode === 'password' ? (
        <>
          <Field label="User name">{(p) => <Input {...p} autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus={!fixedUser} />}</Field>
          <Field label="Password">{(p) => <Input {...p} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus={!!fixedUser} />}</Field>
        </>
      ) : (
        <Field label="Access token" hint="An access token from your organisation's sign-in (for example a Supabase session).">
          {(p) => <Textarea {...p} value={token} onChange={(e) => setToken(e.target.value)} required rows={4} className="font-mono text-xs" />}
        </Field>
      )}
      {error ? <ErrorMessage error={error} /> : null}
      <Button type="submit" disabled={busy}>
        {busy ? 'Signing in\u2026' : 'Sign in'}
      </Button>
      <Button variant="link" size="sm" onClick={() => setMode(mode === 'password' ? 'token' : 'password')}>
        {mode === 'password' ? 'Sign in with an access token instead' : 'Sign in with a user name and password instead'}
      </Button>
    </form>
  );
}
