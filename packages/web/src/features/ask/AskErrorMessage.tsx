import type { ReactNode } from 'react';
import { ErrorMessage } from '../../shared/ui/states.tsx';
import { describeAskError } from './ask-errors.ts';

/** An error of the ask or knowledge-base API: the shared ErrorMessage with the ask codes' sentences. */
export function AskErrorMessage(props: { error: unknown; className?: string; action?: ReactNode }) {
  return <ErrorMessage {...props} describe={describeAskError} />;
}
