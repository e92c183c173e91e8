import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import { Upload } from 'lucide-react';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { dateTime } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { UploadModelDialog } from './UploadModelDialog.tsx';

/** Models: every model with its active version; upload a new version (engineers). */
export default function ModelsPage() {
  const engineer = hasRole(useSession().user?.role, 'engineer');
  const [uploading, setUploading] = useState(false);
  const models = useQuery({ queryKey: ['models'], queryFn: () => data(api.GET('/api/xai-qc/models')) });
  const items = models.data?.items ?? [];

  return (
    <div>
      <PageHeader
        title="Models"
        description="Registered models and the version each one runs. Open a model for its versions, card and comparison."
        actions={
          engineer ? (
            <Button onClick={() => setUploading(true)}>
              <Upload aria-hidden="true" /> Upload model
            </Button>
          ) : null
        }
      />
      {models.error ? <ErrorMessage error={models.error} className="mb-4" /> : null}
      <Card>
        <Table aria-label="Models">
          <thead>
            <tr>
              <Th>Model</Th>
              <Th>Task</Th>
              <Th className="whitespace-nowrap">Active version</Th>
              <Th className="text-right">Versions</Th>
              <Th>Updated</Th>
            </tr>
          </thead>
          <tbody>
            {models.isPending
              ? Array.from({ length: 4 }, (_, i) => (
                  <tr key={i}>
                    {Array.from({ length: 5 }, (__, j) => (
                      <Td key={j}>
                        <Skeleton className="h-5 w-full" />
                      </Td>
                    ))}
                  </tr>
                ))
              : items.map((m) => (
                  <tr key={m.id} className="hover:bg-muted/40">
                    <Td className="font-medium">
                      <Link to="/models/$modelName" params={{ modelName: m.name }} className="text-primary underline-offset-4 hover:underline">
                        {m.name}
                      </Link>
                      {m.description ? <p className="text-xs font-normal text-muted-foreground">{m.description}</p> : null}
                    </Td>
                    <Td>{m.task}</Td>
                    <Td className="whitespace-nowrap">{m.activeVersion ? <Badge variant="good">{m.activeVersion}</Badge> : <Badge variant="warn">none active</Badge>}</Td>
                    <Td className="text-right tabular-nums">{m.versionCount}</Td>
                    <Td className="whitespace-nowrap">{dateTime(m.updatedAt)}</Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!models.isPending && !models.error && items.length === 0 ? (
          <EmptyState title="No models yet" className="m-4" action={engineer ? <Button onClick={() => setUploading(true)}>Upload model</Button> : undefined}>
            {engineer ? 'Upload an ONNX model with its model card to start inspecting.' : 'An engineer uploads models; ask one to register the model for your line.'}
          </EmptyState>
        ) : null}
      </Card>
      {engineer ? <UploadModelDialog open={uploading} onOpenChange={setUploading} /> : null}
    </div>
  );
}
