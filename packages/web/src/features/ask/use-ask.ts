/**
 * Query hooks of the ask panel: the inspection's questions (key `['questions', inspectionId]`),
 * asking one (the answer joins the list at once), feedback on an answer (a correction is a
 * review, so the inspection's review and the queue go stale too), and a knowledge-base
 * document for a cited passage.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { askQuestion, getDocument, listQuestions, sendFeedback } from './ask-api.ts';
import type { FeedbackBody, Question } from './types.ts';

/** The questions asked about an inspection, oldest first. */
export function useQuestions(inspectionId: string) {
  return useQuery({
    queryKey: ['questions', inspectionId],
    queryFn: ({ signal }) => listQuestions(inspectionId, signal),
  });
}

/** Asks a question; the stored question joins the inspection's list. */
export function useAsk(inspectionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (question: string) => askQuestion(inspectionId, question),
    onSuccess: (q) => {
      queryClient.setQueryData<Question[]>(['questions', inspectionId], (list) => (list ? [...list.filter((x) => x.id !== q.id), q] : [q]));
    },
  });
}

/** Sends feedback on an answer. */
export function useFeedback(inspectionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ questionId, body }: { questionId: string; body: FeedbackBody }) => sendFeedback(questionId, body),
    onSuccess: (_r, { body }) => {
      void queryClient.invalidateQueries({ queryKey: ['questions', inspectionId] });
      if (body.correction) {
        for (const key of [['inspection', inspectionId], ['reviews', inspectionId], ['review-queue'], ['inspections'], ['metrics']]) void queryClient.invalidateQueries({ queryKey: key });
      }
    },
  });
}

/** A knowledge-base document with its passages (for a cited passage). */
export function useDocument(documentId: string | undefined) {
  return useQuery({
    queryKey: ['knowledge-document', documentId],
    enabled: !!documentId,
    staleTime: 5 * 60_000,
    queryFn: ({ signal }) => getDocument(documentId!, signal),
  });
}
