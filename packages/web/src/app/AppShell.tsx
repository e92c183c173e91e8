/**
 * The signed-in layout: a side navigation (a drawer on narrow screens), the header with the
 * live-connection state, the theme switch and the user menu, the page, the toasts, and the
 * sign-in dialog that appears over the page when the session expires.
 * Keyboard: `g` then a page's key opens it (`g i` Inspect, `g h` History, ...); `?` lists them.
 */
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { LogOut, Menu, Moon, Sun } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '../shared/ui/button.tsx';
import { cn } from '../shared/lib/cn.ts';
import { Toaster } from '../shared/ui/toast.tsx';
import { api } from './api.ts';
import { useLiveStatus } from './live-events.ts';
import { NAV } from './nav.ts';
import { queryClient } from './query-client.ts';
import { clearSession, getSession, hasRole, useSession } from './session.ts';
import { SessionExpiredGate } from './session-expired-gate.tsx';
import { setTheme, useTheme } from './theme.ts';

/** True when the key event comes from a text field (shortcuts stay off there). */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

function useGoShortcuts(): void {
  const navigate = useNavigate();
  useEffect(() => {
    let armed = 0;
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'g') {
        armed = Date.now();
        return;
      }
      if (Date.now() - armed < 1500) {
        armed = 0;
        const role = getSession().user?.role;
        const item = NAV.flatMap((g) => g.items).find((i) => i.key === e.key && hasRole(role, i.minRole));
        if (item) {
          e.preventDefault();
          void navigate({ to: item.to });
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);
}

async function signOut(): Promise<void> {
  const s = getSession();
  if (s.kind === 'local' && s.refreshToken) await api.POST('/api/xai-qc/auth/logout', { body: { refreshToken: s.refreshToken } }).catch(() => undefined);
  clearSession();
  queryClient.clear();
}

/** The app shell. */
export function AppShell() {
  const session = useSession();
  const theme = useTheme();
  const live = useLiveStatus();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const [drawer, setDrawer] = useState(false);
  useGoShortcuts();
  useEffect(() => setDrawer(false), [pathname]);
  const role = session.user?.role;

  const nav = (
    <nav aria-label="Main" className="flex flex-col gap-4 p-3">
      {NAV.map((g) => {
        const items = g.items.filter((i) => hasRole(role, i.minRole));
        if (!items.length) return null;
        return (
          <div key={g.group}>
            <p className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{g.group}</p>
            <ul className="flex flex-col gap-0.5">
              {items.map((i) => (
                <li key={i.to}>
                  <Link
                    to={i.to}
                    className="block rounded-md px-2 py-2 text-sm hover:bg-accent hover:text-accent-foreground"
                    activeProps={{ className: 'bg-accent font-medium text-accent-foreground', 'aria-current': 'page' }}
                  >
                    {i.label}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );

  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-background focus:p-2">
        Skip to content
      </a>
      <aside className="hidden w-56 shrink-0 border-r bg-card lg:block">
        <div className="flex h-14 items-center gap-2 border-b px-4 font-semibold">
          <img src="/favicon.svg" alt="" className="size-6" />
          XAI-QC
        </div>
        {nav}
      </aside>
      {drawer ? (
        <div className="fixed inset-0 z-40 lg:hidden">
          <button type="button" aria-label="Close navigation" className="absolute inset-0 bg-black/40" onClick={() => setDrawer(false)} />
          <aside className="absolute inset-y-0 left-0 w-64 overflow-auto border-r bg-card">{nav}</aside>
        </div>
      ) : null}
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center gap-2 border-b bg-card px-3">
          <Button variant="ghost" size="icon" className="lg:hidden" aria-label="Open navigation" onClick={() => setDrawer(true)}>
            <Menu aria-hidden="true" />
          </Button>
          <span className="font-semibold lg:hidden">XAI-QC</span>
          <div className="ml-auto flex items-center gap-2">
            <span className="flex items-center gap-1.5 text-xs text-muted-foreground" title="Live updates from the server">
              <span aria-hidden="true" className={cn('size-2 rounded-full', live === 'live' ? 'bg-success' : live === 'connecting' ? 'bg-warning' : 'bg-muted-foreground')} />
              {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting' : 'Offline'}
            </span>
            <Button variant="ghost" size="icon" aria-label={theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
              {theme === 'dark' ? <Sun aria-hidden="true" /> : <Moon aria-hidden="true" />}
            </Button>
            <span className="hidden text-sm sm:inline" data-testid="user-name">
              {session.user?.name} <span className="text-muted-foreground">({role})</span>
            </span>
            <Button
              variant="outline"
              size="sm"
              onClick={() => {
                void signOut().then(() => navigate({ to: '/sign-in', search: { next: undefined } }));
              }}
            >
              <LogOut aria-hidden="true" />
              Sign out
            </Button>
          </div>
        </header>
        <main id="main" className="min-w-0 flex-1 p-4 lg:p-6" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
      <Toaster />
      <SessionExpiredGate />
    </div>
  );
}
