import { Badge } from '../../shared/ui/badge.tsx';
import type { DriftLevel } from './monitoring.ts';

/** Extra classes of a `bad` badge: in the dark theme an outlined label keeps the red text readable (contrast). */
export const BAD_BADGE = 'dark:border-destructive/60 dark:bg-transparent';

const VARIANT = { none: 'good', possible: 'warn', drift: 'bad' } as const;
const WORD = { none: 'no drift', possible: 'possible drift', drift: 'drift' } as const;

/** A drift level as a coloured label: no drift, possible drift, drift. */
export function LevelBadge({ level }: { level: DriftLevel }) {
  return (
    <Badge variant={VARIANT[level]} className={level === 'drift' ? BAD_BADGE : undefined}>
      {WORD[level]}
    </Badge>
  );
}
