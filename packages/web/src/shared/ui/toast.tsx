/**
 * Toasts: short notices (saved, failed, an alert fired) announced to screen readers through
 * an aria-live region; `toast('Saved')` from anywhere.
 */
import { X } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { cn } from '../lib/cn.ts';

/** One notice. */
export interface Toast {
  id: number;
  title: string;
  description?: string;
  tone: 'info' | 'success' | 'error';
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

/** Shows a notice for `ms` (default 5 s; errors 10 s). */
export function toast(title: string, options: { description?: string; tone?: Toast['tone']; ms?: number } = {}): void {
  const t: Toast = { id: nextId++, title, description: options.description, tone: options.tone ?? 'info' };
  toasts = [...toasts.slice(-4), t];
  emit();
  setTimeout(() => dismiss(t.id), options.ms ?? (t.tone === 'error' ? 10_000 : 5_000));
}

/** Removes a notice. */
export function dismiss(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** The notices' region; mounted once by the app shell. */
export function Toaster() {
  const list = useSyncExternalStore(subscribe, () => toasts, () => toasts);
  return (
    <div aria-live="polite" aria-relevant="additions" className="pointer-events-none fixed bottom-4 right-4 z-50 flex w-80 flex-col gap-2">
      {list.map((t) => (
        <div
          key={t.id}
          className={cn('pointer-events-auto flex items-start gap-2 rounded-md border bg-card p-3 text-sm shadow-lg', t.tone === 'error' && 'border-destructive/50', t.tone === 'success' && 'border-success/50')}
        >
          <div className="flex-1">
            <p className="font-medium">{t.title}</p>
            {t.description ? <p className="text-muted-foreground">{t.description}</p> : null}
          </div>
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(t.id)} className="rounded p-1 hover:bg-accent">
            <X className="size-4" aria-hidden="true" />
          </button>
        </div>
      ))}
    </div>
  );
}
