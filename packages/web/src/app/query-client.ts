/**
 * The query cache (TanStack Query). Conventions: query keys start with the resource's plural
 * name (`['inspections', filters]`, `['inspection', id]`, `['models']`); the live events
 * (app/live-events.ts) invalidate by those prefixes, so lists refresh without polling.
 */
import { QueryClient } from '@tanstack/react-query';
import { isXaiQcApiError } from '@xai-qc/client';

/** The app's one query client. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // 4xx answers do not get better by asking again
      retry: (count, error) => !(isXaiQcApiError(error) && error.status < 500) && count < 2,
    },
    mutations: { retry: false },
  },
});
