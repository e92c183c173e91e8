import { useNavigate, useSearch } from '@tanstack/react-router';
import { Card, CardContent, CardDescription, CardHeader } from '../../shared/ui/card.tsx';
import { SignInForm } from './SignInForm.tsx';

/** The sign-in page; returns to `?next=` afterwards. */
export default function SignInPage() {
  const { next } = useSearch({ from: '/sign-in' });
  const navigate = useNavigate();
  return (
    <main className="flex min-h-screen items-center justify-center bg-muted/40 p-4">
      <Card className="w-full max-w-sm">
        <CardHeader>
          <div className="flex items-center gap-2">
            <img src="/favicon.svg" alt="" className="size-7" />
            <h1 className="text-xl font-semibold">XAI-QC</h1>
          </div>
          <CardDescription>Sign in to inspect, review and monitor.</CardDescription>
        </CardHeader>
        <CardContent>
          <SignInForm
            onSignedIn={() => {
              const target = next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/inspect';
              void navigate({ href: target });
            }}
          />
        </CardContent>
      </Card>
    </main>
  );
}
