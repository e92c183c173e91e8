/**
 * Phrasings of the evaluation's questions, per subtask. They are written apart from the
 * classifier's corpus (packages/core/src/ask/corpus), so the evaluation also measures
 * whether questions worded differently are understood. `{cls}` takes the ground-truth
 * class as spoken ("lack of fusion"). `good: true` marks a yes/no question asking whether
 * the part is good, whose right answer is "yes" for a good part.
 */
import type { AskSubtask } from '@xai-qc/core';

/** One phrasing. */
export interface Phrasing {
  text: string;
  /** the question asks "is it good?" rather than "is it defective?" */
  good?: boolean;
}

/** Phrasings for defect domains (surface, weld). */
export const DEFECT_PHRASINGS: Readonly<Record<AskSubtask, readonly Phrasing[]>> = {
  present: [
    { text: 'Does this image show any defect?' },
    { text: 'Would you reject this one?' },
    { text: 'Do you detect a defect here?' },
    { text: 'Is anything wrong with this sample?' },
    { text: 'Should this part be scrapped?' },
    { text: 'Does the model see a flaw on this part?' },
    { text: 'Is this part fine to use?', good: true },
    { text: 'Is this one free of flaws?', good: true },
  ],
  type: [
    { text: 'Which defect is visible?' },
    { text: 'What sort of defect does it have?' },
    { text: 'Can you name the defect?' },
    { text: 'What flaw did the model see?' },
    { text: 'Which class of defect is this?' },
  ],
  location: [
    { text: 'Where can the defect be found?' },
    { text: 'In which part of the image is the flaw?' },
    { text: 'Where is the flaw located?' },
    { text: 'Which area shows the defect?' },
    { text: 'Where is the {cls} in the image?' },
  ],
  description: [
    { text: 'What does this defect look like?' },
    { text: 'Describe this kind of defect.' },
    { text: 'How would you characterise the defect?' },
    { text: 'What are the visual features of this flaw?' },
  ],
  cause: [
    { text: 'What typically causes this?' },
    { text: 'How can this defect be avoided?' },
    { text: 'What is behind this defect?' },
    { text: 'What should we change so this does not happen again?' },
  ],
  confidence: [
    { text: 'How confident is the prediction?' },
    { text: 'How sure is the model here?' },
    { text: 'Can I rely on this result?' },
    { text: 'How certain is this verdict?' },
  ],
  explanation: [
    { text: 'Why did the model decide this?' },
    { text: 'What made the model reach this verdict?' },
    { text: 'Explain this result.' },
    { text: 'What is the verdict based on?' },
  ],
};

/** Phrasings for the white-cell domain, where "type" is the cell type. */
export const CELL_PHRASINGS: Readonly<Partial<Record<AskSubtask, readonly Phrasing[]>>> = {
  type: [
    { text: 'Which white cell is shown?' },
    { text: 'What type of cell is this?' },
    { text: 'Which cell class did the model assign?' },
    { text: 'Can you identify the cell?' },
  ],
  description: [
    { text: 'Describe this cell type.' },
    { text: 'What does this kind of cell look like?' },
    { text: 'What are the features of this cell?' },
  ],
  confidence: DEFECT_PHRASINGS.confidence,
  explanation: DEFECT_PHRASINGS.explanation,
};
