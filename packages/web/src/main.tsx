/** The web app's entry: query cache, router, live events. */
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startLiveEvents } from './app/live-events.ts';
import { queryClient } from './app/query-client.ts';
import { router } from './app/router.tsx';
import './styles.css';

startLiveEvents();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
