import { Badge } from '../../shared/ui/badge.tsx';
import { BAD_BADGE } from '../monitoring/LevelBadge.tsx';

const VARIANT: Record<string, 'good' | 'bad' | 'warn' | 'secondary' | 'outline'> = {
  succeeded: 'good',
  failed: 'bad',
  cancelled: 'secondary',
  running: 'warn',
  queued: 'outline',
};

/** A job or run status as a coloured label (queued, running, succeeded, failed, cancelled). */
export function RunStatusBadge({ status }: { status: string }) {
  return (
    <Badge variant={VARIANT[status] ?? 'outline'} className={VARIANT[status] === 'bad' ? BAD_BADGE : undefined}>
      {status}
    </Badge>
  );
}
