/** `xaiqc ask`: a question about one image, answered locally from the model's own results and the defect book. */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Predictor, XqcError, answerQuestion, buildLocalAskContext, composeWithLlm, decodeImage, defectBookIndex, encodePng, parseQuestion } from '@xai-qc/core';
import type { Answer } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, required } from '../command.ts';

/** Longest question, characters after trimming (as the server's). */
export const MAX_QUESTION_CHARS = 1000;

/** The model file and card of `--model` (a model.onnx or a model folder) and `--card`. */
async function modelPaths(model: string, card: string | undefined): Promise<{ onnx: string; card: string | undefined }> {
  const isDir = (await stat(model).catch(() => undefined))?.isDirectory() ?? false;
  return isDir ? { onnx: join(model, 'model.onnx'), card: card ?? join(model, 'model_card.yaml') } : { onnx: model, card };
}

/** The answer as text: the answer, then one line per citation. */
function asText(a: Answer): string {
  const lines = [a.answer, '', 'Sources:', ...a.citations.map((c) => `  [${c.id}] ${c.label}`)];
  if (a.llmRejected) lines.push('', `(language model answer refused: ${a.llmRejected})`);
  return lines.join('\n');
}

export const askCommand: Command = {
  name: 'ask',
  summary: "answer a question about one image from the model's results and the defect book",
  help: `Usage: xaiqc ask --model M.onnx|DIR --image I [--card C] [--json]
                 [--llm-url URL --llm-model NAME [--llm-images]] "question"

Runs the model on the image here (no server) and answers the question in plain language
from the prediction (verdict, class, probabilities, findings and where they are, the
anomaly map, the conformal set and referral rule of a calibrated card), the model card and
the shipped defect book, with every statement cited. --model is a model.onnx (its
model_card.yaml beside it, or --card) or a model folder. There is no inspection record
here, so no similar past cases, reviews or figures from reviews.

--json prints the whole answer as JSON: \`answer\` (the text, starting with the short answer),
\`short\`, \`evidence\`, \`citations\`, \`intent\`, \`unsure\`, \`suggestReview\`, \`composer\`.

--llm-url (an OpenAI-compatible base URL with /v1, e.g. http://127.0.0.1:11434/v1) and
--llm-model let a language model write the answer from the cited sources; its answer is
kept only when it cites only those sources, else the grounded one is printed. The key, when
the endpoint needs one, is read from XQC_LLM_API_KEY. --llm-images sends the image along.

The question is 1 to ${MAX_QUESTION_CHARS} characters (XQC_INVALID_ARGUMENT otherwise).`,
  options: {
    model: { type: 'string' },
    image: { type: 'string' },
    card: { type: 'string' },
    json: { type: 'boolean' },
    'llm-url': { type: 'string' },
    'llm-model': { type: 'string' },
    'llm-images': { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const model = required(values, 'model');
    const imagePath = required(values, 'image');
    if (positionals.length === 0) throw new UsageError('give the question as the last argument, in quotes');
    const question = positionals.join(' ').trim();
    if (question.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'question: empty; ask something about the image');
    const chars = [...question].length;
    if (chars > MAX_QUESTION_CHARS) throw new XqcError('XQC_INVALID_ARGUMENT', `question: ${chars} characters; at most ${MAX_QUESTION_CHARS}`);
    const llmUrl = values['llm-url'] as string | undefined;
    const llmModel = values['llm-model'] as string | undefined;
    if ((llmUrl === undefined) !== (llmModel === undefined)) throw new UsageError('--llm-url and --llm-model go together');
    if (llmUrl !== undefined && !/^https?:\/\//.test(llmUrl)) throw new UsageError(`--llm-url must be an http(s) URL, got '${llmUrl}'`);

    const paths = await modelPaths(model, values.card as string | undefined);
    const predictor = await Predictor.load(paths.onnx, paths.card);
    const bytes = await readFile(imagePath);
    const image = await decodeImage(bytes);
    const { predictions } = await predictor.predict([image]);
    const book = defectBookIndex();
    const ctx = buildLocalAskContext({
      card: predictor.card,
      prediction: predictions[0],
      image: { width: image.width, height: image.height, filename: basename(imagePath) },
      retrieve: (q, k) => book.search(q, k),
    });
    let answer = await answerQuestion(parseQuestion(question, [...predictor.card.labels]), ctx);
    if (llmUrl !== undefined && llmModel !== undefined) {
      answer = await composeWithLlm(answer, ctx, {
        baseUrl: llmUrl,
        model: llmModel,
        apiKey: process.env.XQC_LLM_API_KEY || undefined,
        acceptsImages: values['llm-images'] === true,
        ...(values['llm-images'] === true ? { image: { bytes: await encodePng(image), mediaType: 'image/png' } } : {}),
      });
    }
    io.out(values.json ? JSON.stringify(answer, null, 2) : asText(answer));
    return 0;
  },
};
