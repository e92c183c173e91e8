import { Badge } from '../../shared/ui/badge.tsx';
import type { DriftLevel } from './monitoring.ts';

const VARIANT = { none: 'good', possible: 'warn', drift: 'bad' } as const;
const WORD = { none: 'no drift', possible: 'possible drift', drift: 'drift' } as const;

/** A drift level as a coloured label: no drift, possible drift, drift. */
export function LevelBadge({ level }: { level: DriftLevel }) {
  return <Badge variant={VARIANT[level]}>{WORD[level]}</Badge>;
}
