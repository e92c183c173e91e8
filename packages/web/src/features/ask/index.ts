/** Asking questions about an inspection: the ask panel used by the inspection and station pages. */
export { AskPanel } from './AskPanel.tsx';
export type { AskPanelProps } from './AskPanel.tsx';
export type { Answer, Citation, Question } from './types.ts';
