/**
 * The web app's entry: query cache, router, live events. The first render is a transition, so
 * React builds the shell and the page in slices of a few milliseconds (no long task blocks
 * input while the app starts); index.html's static frame stays on screen until it commits.
 */
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { startTransition, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startLiveEvents } from './app/live-events.ts';
import { queryClient } from './app/query-client.ts';
import { router } from './app/router.tsx';
import './styles.css';

startLiveEvents();

const root = createRoot(document.getElementById('root')!);
startTransition(() =>
  root.render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  ),
);
