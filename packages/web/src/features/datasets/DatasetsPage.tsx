import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { Upload } from 'lucide-react';
import { useState } from 'react';
import { api, postForm } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { fieldErrors } from '../../shared/lib/error-sentences.ts';
import { bytes, dateTime } from '../../shared/lib/format.ts';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { Dialog, DialogClose, DialogContent } from '../../shared/ui/dialog.tsx';
import { Field, Input, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { DatasetDetails } from './DatasetDetails.tsx';
import { datasetsRoute } from './route.ts';

type Dataset = components['schemas']['Dataset'];

/** Datasets: the list, an archive upload (engineers), and the details of one with its quality report. */
export default function DatasetsPage() {
  const engineer = hasRole(useSession().user?.role, 'engineer');
  const { id } = datasetsRoute.useSearch();
  const navigate = useNavigate({ from: datasetsRoute.fullPath });
  const [uploading, setUploading] = useState(false);
  const list = useInfiniteQuery({
    queryKey: ['datasets'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => data(api.GET('/api/xai-qc/datasets', { params: { query: { limit: 50, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items: Dataset[] = list.data?.pages.flatMap((p) => p.items) ?? [];
  const select = (next?: string) => void navigate({ search: { id: next }, resetScroll: false });

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Datasets"
        description="Image datasets for training and monitoring, with their statistics and quality report."
        actions={
          engineer ? (
            <Button onClick={() => setUploading(true)}>
              <Upload aria-hidden="true" /> Upload dataset
            </Button>
          ) : null
        }
      />
      {list.error ? <ErrorMessage error={list.error} /> : null}
      <Card>
        <Table aria-label="Datasets">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Format</Th>
              <Th className="text-right">Images</Th>
              <Th>Classes</Th>
              <Th className="text-right">Size</Th>
              <Th>Uploaded</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {list.isPending
              ? Array.from({ length: 3 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={7}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((d) => (
                  <tr key={d.id} className={d.id === id ? 'bg-muted/50' : 'hover:bg-muted/40'}>
                    <Td className="font-medium">{d.name}</Td>
                    <Td>{d.format}</Td>
                    <Td className="text-right tabular-nums">{d.stats.images}</Td>
                    <Td className="max-w-64 truncate" title={d.stats.classes.join(', ')}>
                      {d.stats.classes.join(', ')}
                    </Td>
                    <Td className="text-right whitespace-nowrap tabular-nums">{bytes(d.totalBytes)}</Td>
                    <Td className="whitespace-nowrap">{dateTime(d.createdAt)}</Td>
                    <Td className="text-right">
                      <Button size="sm" variant="outline" onClick={() => select(d.id === id ? undefined : d.id)} aria-expanded={d.id === id} aria-label={`${d.id === id ? 'Hide' : 'Details'}: ${d.name}`}>
                        {d.id === id ? 'Hide' : 'Details'}
                      </Button>
                    </Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!list.isPending && !list.error && items.length === 0 ? (
          <EmptyState title="No datasets yet" className="m-4" action={engineer ? <Button onClick={() => setUploading(true)}>Upload dataset</Button> : undefined}>
            {engineer
              ? 'Upload a zip or tar archive: one folder per class (classification), images/ and masks/ (segmentation), or good/ and defect folders (anomaly).'
              : 'Engineers upload datasets; they appear here with their quality report.'}
          </EmptyState>
        ) : null}
        {list.hasNextPage ? (
          <div className="flex justify-center p-3">
            <Button variant="outline" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? 'Loading\u2026' : 'Load more'}
            </Button>
          </div>
        ) : null}
      </Card>
      {id ? <DatasetDetails id={id} canDelete={engineer} onDeleted={() => select(undefined)} /> : null}
      {engineer ? <UploadDatasetDialog open={uploading} onOpenChange={setUploading} onUploaded={select} /> : null}
    </div>
  );
}

function UploadDatasetDialog({ open, onOpenChange, onUploaded }: { open: boolean; onOpenChange: (o: boolean) => void; onUploaded: (id: string) => void }) {
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [format, setFormat] = useState('');
  const [missing, setMissing] = useState(false);
  const upload = useMutation({
    mutationFn: () => {
      const form = new FormData();
      if (name.trim()) form.append('name', name.trim());
      if (format) form.append('format', format);
      form.append('archive', file!, file!.name);
      return postForm<{ dataset: Dataset; deduplicated: boolean }>('/datasets', form);
    },
    onSuccess: async (res) => {
      await qc.invalidateQueries({ queryKey: ['datasets'] });
      toast(res.deduplicated ? 'This dataset was already uploaded' : `Uploaded ${res.dataset.name}`, { tone: 'success', description: `${res.dataset.stats.images} images in ${res.dataset.stats.classes.length} classes.` });
      onOpenChange(false);
      setFile(null);
      setName('');
      setFormat('');
      onUploaded(res.dataset.id);
    },
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setMissing(!file);
    if (file) upload.mutate();
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title="Upload a dataset" description="A zip, tar or tar.gz archive of a dataset folder. It is checked and measured before it is stored.">
        <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Upload a dataset" noValidate>
          {upload.error ? <ErrorMessage error={upload.error} /> : null}
          <Field label="Archive" errors={[...(missing ? ['Choose the archive to upload.'] : []), ...fieldErrors(upload.error, 'archive')]}>
            {(p) => <Input {...p} type="file" accept=".zip,.tar,.tgz,.tar.gz,application/zip,application/x-tar,application/gzip" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
          </Field>
          <Field label="Name (optional)" hint="Default: the archive's file name." errors={fieldErrors(upload.error, 'name')}>
            {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}
          </Field>
          <Field label="Layout" hint="Detected from the folders when left on automatic." errors={fieldErrors(upload.error, 'format')}>
            {(p) => (
              <Select {...p} value={format} onChange={(e) => setFormat(e.target.value)}>
                <option value="">Automatic</option>
                <option value="classification">classification: one folder per class</option>
                <option value="segmentation">segmentation: images/ and masks/</option>
                <option value="anomaly">anomaly: good/, defect folders, masks/</option>
              </Select>
            )}
          </Field>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={upload.isPending}>
              {upload.isPending ? 'Uploading and measuring\u2026' : 'Upload'}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
