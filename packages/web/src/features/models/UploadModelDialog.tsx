import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import type { components } from '@xai-qc/client';
import { useState } from 'react';
import { postForm } from '../../app/api.ts';
import { Button } from '../../shared/ui/button.tsx';
import { Dialog, DialogClose, DialogContent } from '../../shared/ui/dialog.tsx';
import { Field, Input, Label, Textarea } from '../../shared/ui/form.tsx';
import { ErrorMessage } from '../../shared/ui/states.tsx';
import { Switch } from '../../shared/ui/switch.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { ANOMALY_FORMAT_PARTS, anomalyFormatOf, cardIdentity, cardIsAnomaly, checkUpload, partErrors, uploadForm } from './model-upload.ts';
import type { AnomalyFormat, UploadPart } from './model-upload.ts';

type Extra = { features: File | null; bank: File | null; anomaly: File | null; network: File | null };
const NO_EXTRA: Extra = { features: null, bank: null, anomaly: null, network: null };

type ModelVersion = components['schemas']['ModelVersion'];

/** The upload form of a model version: ONNX file, card (file or text), anomaly parts, activate. */
export function UploadModelDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [model, setModel] = useState<File | null>(null);
  const [cardText, setCardText] = useState('');
  const [cardName, setCardName] = useState<string | undefined>();
  const [extra, setExtra] = useState<Extra>(NO_EXTRA);
  const [format, setFormat] = useState<AnomalyFormat | undefined>();
  const [activate, setActivate] = useState(false);
  const [description, setDescription] = useState('');
  const [local, setLocal] = useState<Partial<Record<UploadPart, string>>>({});

  const upload = useMutation({
    mutationFn: () => postForm<ModelVersion>('/models', uploadForm({ model, cardText, cardName, ...extra, activate, description })),
    onSuccess: async (v) => {
      await qc.invalidateQueries({ queryKey: ['models'] });
      toast(`Registered ${v.modelName} ${v.version}`, { tone: 'success', description: v.active ? 'It is the active version now.' : 'Activate it when you are ready.' });
      onOpenChange(false);
      reset();
      void navigate({ to: '/models/$modelName', params: { modelName: v.modelName }, search: { version: v.version } });
    },
  });
  const reset = () => {
    setModel(null);
    setCardText('');
    setCardName(undefined);
    setExtra(NO_EXTRA);
    setFormat(undefined);
    setActivate(false);
    setDescription('');
    setLocal({});
    upload.reset();
  };

  const server = partErrors(upload.error);
  const errs = (part: UploadPart) => [...(local[part] ? [local[part]!] : []), ...(server.byPart[part] ?? [])];
  const anomaly = cardIsAnomaly(cardText);
  const id = cardIdentity(cardText);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const problems = checkUpload({ model, cardText, activate });
    setLocal(problems);
    if (Object.keys(problems).length === 0) upload.mutate();
  };

  /** anomaly.json names the format, and so which other parts to ask for; parts of the other format are dropped. */
  const onAnomalyFile = async (f: File | undefined) => {
    const next = f ? anomalyFormatOf(await f.text()) : undefined;
    setFormat(next);
    setExtra((x) => {
      const keep = new Set<string>(next ? ANOMALY_FORMAT_PARTS[next].map(([part]) => part) : ['features', 'bank', 'network']);
      return { features: keep.has('features') ? x.features : null, bank: keep.has('bank') ? x.bank : null, network: keep.has('network') ? x.network : null, anomaly: f ?? null };
    });
  };
  const otherParts = format ? ANOMALY_FORMAT_PARTS[format] : [...ANOMALY_FORMAT_PARTS.patchcore, ...ANOMALY_FORMAT_PARTS.simulated];

  const onCardFile = async (f: File | undefined) => {
    setCardName(f?.name);
    setCardText(f ? await f.text() : '');
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        onOpenChange(o);
        if (!o) reset();
      }}
    >
      <DialogContent title="Upload a model version" description="The server checks the ONNX file, the card, and one test run before anything is stored." className="w-[min(95vw,44rem)]">
        <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Upload a model version" noValidate>
          {upload.error && (server.rest.length > 0 || Object.keys(server.byPart).length === 0) ? <ErrorMessage error={upload.error} /> : null}
          {upload.error && server.rest.length === 0 && Object.keys(server.byPart).length > 0 ? (
            <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 p-3 text-sm">
              The upload was refused: see the fields marked below.
            </p>
          ) : null}
          <Field label="Model file (.onnx)" errors={errs('model')}>
            {(p) => <Input {...p} type="file" accept=".onnx" onChange={(e) => setModel(e.target.files?.[0] ?? null)} />}
          </Field>
          <Field label="Model card file (model_card.yaml)" hint="The card gives the model's name, version, labels, input and thresholds. You can edit it below before uploading.">
            {(p) => <Input {...p} type="file" accept=".yaml,.yml,application/yaml,text/yaml" onChange={(e) => void onCardFile(e.target.files?.[0])} />}
          </Field>
          <Field label="Model card (YAML)" errors={errs('card')} hint={id.name ? `Registers ${id.name} version ${id.version ?? '(none)'}.` : undefined}>
            {(p) => <Textarea {...p} value={cardText} onChange={(e) => setCardText(e.target.value)} rows={8} spellCheck={false} className="font-mono text-xs" placeholder="name: my-model&#10;version: 1.0.0&#10;task: classify" />}
          </Field>
          {anomaly ? (
            <fieldset className="grid gap-3 rounded-md border p-3 sm:grid-cols-3">
              <legend className="px-1 text-sm font-medium">Anomaly model parts</legend>
              <Field
                label="anomaly.json"
                errors={errs('anomaly')}
                hint={
                  format === 'patchcore'
                    ? 'PatchCore: add features.onnx and bank.npy.'
                    : format === 'simulated'
                      ? 'Trained on simulated defects: add network.onnx.'
                      : 'Its format names the other parts: features.onnx and bank.npy (PatchCore) or network.onnx (trained on simulated defects).'
                }
              >
                {(p) => <Input {...p} type="file" accept=".json,application/json" onChange={(e) => void onAnomalyFile(e.target.files?.[0])} />}
              </Field>
              {otherParts.map(([part, file]) => (
                <Field key={part} label={file} errors={errs(part)}>
                  {(p) => <Input {...p} type="file" onChange={(e) => setExtra((x) => ({ ...x, [part]: e.target.files?.[0] ?? null }))} />}
                </Field>
              ))}
            </fieldset>
          ) : null}
          <Field label="Description (optional)" hint="Kept with the model when this upload creates it.">
            {(p) => <Input {...p} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />}
          </Field>
          <div className="flex items-center gap-3">
            <Switch id="upload-activate" checked={activate} onCheckedChange={setActivate} />
            <Label htmlFor="upload-activate">Make it the active version after the checks pass</Label>
          </div>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={upload.isPending}>
              {upload.isPending ? 'Checking and uploading\u2026' : 'Upload'}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
