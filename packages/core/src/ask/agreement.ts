/** Whether explanation methods agree, in words, from their aggregate (consensus, IoU, rank correlation). */
import type { AskAggregate } from './types.ts';

/** Consensus score at or above which the methods "agree well". */
export const AGREE_WELL = 0.7;
/** Consensus score at or above which the methods "agree only partly"; below it they "disagree". */
export const PARTLY = 0.4;

/**
 * One sentence on the agreement of the aggregated methods: "agree well" (consensus >= 0.7),
 * "agree only partly" (>= 0.4) or "disagree", with the consensus score, the mean IoU of
 * their top regions and their mean Spearman rank correlation.
 */
export function describeAgreement(a: AskAggregate): string {
  const how = a.score >= AGREE_WELL ? 'agree well' : a.score >= PARTLY ? 'agree only partly' : 'disagree';
  return `The ${a.members.length} explanation methods (${a.members.join(', ')}) ${how}: consensus ${a.score.toFixed(2)}, mean IoU of their top regions ${a.meanIou.toFixed(2)}, mean rank correlation ${a.meanSpearman.toFixed(2)}.`;
}
