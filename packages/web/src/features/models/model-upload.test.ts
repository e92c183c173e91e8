import { XaiQcApiError } from '@xai-qc/client';
import { describe, expect, it } from 'vitest';
import { anomalyFormatOf, cardIdentity, cardIsAnomaly, checkUpload, partErrors, uploadForm } from './model-upload.ts';

const onnx = new File([new Uint8Array([8, 7])], 'model.onnx');

describe('model upload form', () => {
  it('asks for the ONNX file and the card before sending', () => {
    expect(checkUpload({ model: null, cardText: ' ', activate: false })).toEqual({
      model: 'Choose the ONNX model file.',
      card: 'Choose the model card (model_card.yaml) or paste its text.',
    });
    expect(checkUpload({ model: new File(['x'], 'model.pt'), cardText: 'name: a', activate: false }).model).toMatch(/\.onnx/);
    expect(checkUpload({ model: onnx, cardText: 'name: a', activate: false })).toEqual({});
  });

  it('builds the multipart parts the server reads: model, card as a file, activate, description', async () => {
    const form = uploadForm({ model: onnx, cardText: 'name: m\nversion: 2\n', activate: true, description: '  line 3  ' });
    expect([...form.keys()]).toEqual(['model', 'card', 'activate', 'description']);
    const card = form.get('card') as File;
    expect(card.name).toBe('model_card.yaml');
    expect(await card.text()).toBe('name: m\nversion: 2\n');
    expect(form.get('activate')).toBe('true');
    expect(form.get('description')).toBe('line 3');
    const anomaly = uploadForm({ model: onnx, cardText: 'x', activate: false, bank: new File(['b'], 'bank.npy'), features: null });
    expect([...anomaly.keys()]).toEqual(['model', 'card', 'bank', 'activate']);
    expect(anomaly.get('activate')).toBe('false');
    const simulated = uploadForm({ model: onnx, cardText: 'x', activate: false, anomaly: new File(['{}'], 'anomaly.json'), network: new File(['n'], 'network.onnx') });
    expect([...simulated.keys()]).toEqual(['model', 'card', 'anomaly', 'network', 'activate']);
    expect((simulated.get('network') as File).name).toBe('network.onnx');
  });

  it('reads the detector format from anomaly.json', () => {
    expect(anomalyFormatOf('{"format": "xai-qc.patchcore", "version": 1}')).toBe('patchcore');
    expect(anomalyFormatOf('{"format": "xai-qc.simulated", "version": 1}')).toBe('simulated');
    expect(anomalyFormatOf('{"format": "other"}')).toBeUndefined();
    expect(anomalyFormatOf('{"format": ')).toBeUndefined();
    expect(anomalyFormatOf('null')).toBeUndefined();
  });

  it('places the server errors under the part they name and keeps the rest for the summary', () => {
    const err = new XaiQcApiError({
      status: 422,
      code: 'XQC_CARD_INVALID',
      errors: [
        { field: 'card', message: 'model_card.yaml: /input/height must be >= 1' },
        { field: '/body/model', message: 'not ONNX' },
        { field: 'version', message: 'taken' },
      ],
    });
    const { byPart, rest } = partErrors(err);
    expect(byPart).toEqual({ card: ['model_card.yaml: /input/height must be >= 1'], model: ['not ONNX'] });
    expect(rest).toEqual([{ field: 'version', message: 'taken' }]);
    expect(partErrors(new Error('offline'))).toEqual({ byPart: {}, rest: [] });
  });

  it('reads the name, version and task from the card text', () => {
    const yaml = '# card\nname: surface-classifier\nversion: "1.2.0" # bumped\ntask: anomaly\n';
    expect(cardIdentity(yaml)).toEqual({ name: 'surface-classifier', version: '1.2.0' });
    expect(cardIsAnomaly(yaml)).toBe(true);
    expect(cardIsAnomaly('task: classify\n')).toBe(false);
    expect(cardIdentity('labels: [a]')).toEqual({ name: undefined, version: undefined });
  });
});
