/**
 * Authorised binary API files (images, heatmap PNGs) as object URLs for <img src>, cached by
 * path in the query cache and revoked when the cache drops them.
 */
import { useQuery } from '@tanstack/react-query';
import { getBlob } from '../../app/api.ts';
import { queryClient } from '../../app/query-client.ts';

const urls = new Map<string, string>();
queryClient.getQueryCache().subscribe((event) => {
  if (event.type === 'removed' && event.query.queryKey[0] === 'blob') {
    const path = event.query.queryKey[1] as string;
    const url = urls.get(path);
    if (url) URL.revokeObjectURL(url);
    urls.delete(path);
  }
});

/** The object URL of an API file (`/inspections/{id}/image`, ...); undefined while loading or when `path` is null. */
export function useApiBlobUrl(path: string | null | undefined) {
  return useQuery({
    queryKey: ['blob', path],
    enabled: !!path,
    staleTime: Infinity,
    gcTime: 5 * 60_000,
    queryFn: async ({ signal }) => {
      const blob = await getBlob(path!, signal);
      const old = urls.get(path!);
      if (old) URL.revokeObjectURL(old);
      const url = URL.createObjectURL(blob);
      urls.set(path!, url);
      return url;
    },
  });
}
