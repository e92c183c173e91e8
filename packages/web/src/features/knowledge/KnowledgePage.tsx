/**
 * Knowledge base at `/knowledge` (engineers and up): the account's documents with the
 * built-in defect book marked, upload of Markdown, plain text and PDF documents (the
 * server's refusals as sentences), delete with a confirmation (built-in documents stay), a
 * search that shows the passages the answerer would find, and the answers people marked
 * unhelpful, with their comments and corrections.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { BookOpen, Search, Trash2, Upload } from 'lucide-react';
import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { bytes, dateTime } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { ConfirmDialog } from '../../shared/ui/confirm-dialog.tsx';
import { Input, Label } from '../../shared/ui/form.tsx';
import { EmptyState, PageHeader, Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '../../shared/ui/tabs.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { deleteDocument, listDocuments, listUnhelpful, searchKnowledge, uploadDocument } from '../ask/ask-api.ts';
import { latestFeedback } from '../ask/ask-logic.ts';
import { AskErrorMessage } from '../ask/AskErrorMessage.tsx';
import type { KnowledgeDocument } from '../ask/types.ts';
import { checkDocumentFile, DOCUMENT_ACCEPT, kindName, markTerms, passageCount, titleFromFileName } from './knowledge.ts';

/** Knowledge base. */
export default function KnowledgePage() {
  const [tab, setTab] = useState('documents');
  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Knowledge base" description="Documents the answers quote: the built-in defect book and your own. Search shows the passages an answer would find." />
      <Tabs value={tab} onValueChange={setTab}>
        <TabsList aria-label="Knowledge base">
          <TabsTrigger value="documents" className="min-h-10">
            Documents
          </TabsTrigger>
          <TabsTrigger value="search" className="min-h-10">
            Search
          </TabsTrigger>
          <TabsTrigger value="unhelpful" className="min-h-10">
            Unhelpful answers
          </TabsTrigger>
        </TabsList>
        <TabsContent value="documents">
          <DocumentsTab />
        </TabsContent>
        <TabsContent value="search">
          <SearchTab />
        </TabsContent>
        <TabsContent value="unhelpful">
          <UnhelpfulTab />
        </TabsContent>
      </Tabs>
    </div>
  );
}

function DocumentsTab() {
  const qc = useQueryClient();
  const docs = useQuery({ queryKey: ['knowledge-documents'], queryFn: ({ signal }) => listDocuments(signal) });
  const [removing, setRemoving] = useState<KnowledgeDocument | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => deleteDocument(id),
    onSuccess: async () => {
      toast(`Deleted ${removing?.title ?? 'the document'}`, { tone: 'success', description: 'Answers no longer quote it.' });
      setRemoving(null);
      await qc.invalidateQueries({ queryKey: ['knowledge-documents'] });
      await qc.invalidateQueries({ queryKey: ['knowledge-search'] });
    },
  });
  const items = [...(docs.data ?? [])].sort((a, b) => Number(b.builtIn) - Number(a.builtIn) || a.title.localeCompare(b.title));

  return (
    <div className="grid items-start gap-4 xl:grid-cols-[minmax(0,1fr)_22rem]">
      <Card>
        <CardHeader>
          <CardTitle>Documents</CardTitle>
          <CardDescription>{docs.data ? `${items.length} document${items.length === 1 ? '' : 's'}; built-in ones come with XAI-QC and cannot be deleted.` : 'Loading\u2026'}</CardDescription>
        </CardHeader>
        <CardContent>
          {docs.isError ? <AskErrorMessage error={docs.error} /> : null}
          {docs.isPending ? <Skeleton className="h-40" /> : null}
          {docs.isSuccess && items.length === 0 ? <EmptyState title="No documents yet">Upload a Markdown, text or PDF document about your defects.</EmptyState> : null}
          {items.length ? (
            <Table label="Documents" data-testid="knowledge-documents">
              <thead>
                <tr>
                  <Th>Title</Th>
                  <Th>Kind</Th>
                  <Th className="text-right">Passages</Th>
                  <Th>Added</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={d.id} data-testid="knowledge-document">
                    <Td>
                      <span className="font-medium">{d.title}</span>
                      {d.filename ? <span className="block text-xs text-muted-foreground">{d.filename}</span> : null}
                    </Td>
                    <Td>{d.builtIn ? <Badge variant="secondary">Built in</Badge> : <span className="whitespace-nowrap text-sm">{kindName(d.mediaType)}{d.bytes ? `, ${bytes(d.bytes)}` : ''}</span>}</Td>
                    <Td className="text-right tabular-nums">{passageCount(d)}</Td>
                    <Td className="whitespace-nowrap text-sm">{d.builtIn ? '\u2013' : dateTime(d.createdAt)}</Td>
                    <Td className="text-right">
                      {d.builtIn ? null : (
                        <Button variant="ghost" className="h-10" aria-label={`Delete ${d.title}`} onClick={() => setRemoving(d)}>
                          <Trash2 aria-hidden="true" />
                          Delete
                        </Button>
                      )}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : null}
        </CardContent>
      </Card>
      <UploadCard />
      <ConfirmDialog
        item={removing}
        onClose={() => setRemoving(null)}
        title={(d) => `Delete ${d.title}?`}
        description={() => 'Its passages leave the knowledge base; answers given earlier keep what they quoted. This cannot be undone.'}
        confirmLabel="Delete document"
        onConfirm={(d) => remove.mutate(d.id)}
        pending={remove.isPending}
        error={remove.error}
        renderError={(e) => <AskErrorMessage error={e} />}
        buttonClassName="h-11"
      />
    </div>
  );
}

function UploadCard() {
  const qc = useQueryClient();
  const ids = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const [proposed, setProposed] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: ({ file, title }: { file: File; title: string }) => uploadDocument(file, title),
    onSuccess: async (d) => {
      toast(`Added ${d.title}`, { tone: 'success', description: `${passageCount(d)} passage${passageCount(d) === 1 ? '' : 's'} indexed.` });
      setFile(null);
      setTitle('');
      setProposed('');
      if (fileRef.current) fileRef.current.value = '';
      await qc.invalidateQueries({ queryKey: ['knowledge-documents'] });
      await qc.invalidateQueries({ queryKey: ['knowledge-search'] });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setProblem('Choose a file first.');
    const c = checkDocumentFile(file);
    if (!c.ok) return setProblem(c.reason);
    if (!title.trim()) return setProblem('Give the document a title.');
    setProblem(null);
    upload.mutate({ file, title: title.trim() });
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Add a document</CardTitle>
        <CardDescription>Markdown, plain text or PDF; it is split into passages and searched when questions are asked.</CardDescription>
      </CardHeader>
      <CardContent>
        <form className="flex flex-col gap-3" onSubmit={onSubmit} aria-label="Add a document" data-testid="knowledge-upload">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${ids}-file`}>File</Label>
            <Input
              ref={fileRef}
              id={`${ids}-file`}
              type="file"
              accept={DOCUMENT_ACCEPT}
              className="h-11 py-2"
              onChange={(e) => {
                const f = e.target.files?.[0] ?? null;
                setFile(f);
                setProblem(null);
                upload.reset();
                // a new file brings its own title, unless one was typed
                if (f && (!title.trim() || title === proposed)) {
                  setTitle(titleFromFileName(f.name));
                  setProposed(titleFromFileName(f.name));
                }
              }}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${ids}-title`}>Title</Label>
            <Input id={`${ids}-title`} className="h-11" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Weld porosity: causes and checks" />
          </div>
          {problem ? (
            <p className="text-sm text-destructive" role="alert">
              {problem}
            </p>
          ) : null}
          {upload.isError ? <AskErrorMessage error={upload.error} /> : null}
          <Button type="submit" className="h-11" disabled={upload.isPending}>
            {upload.isPending ? <Spinner label="Uploading" className="text-primary-foreground" /> : <Upload aria-hidden="true" />}
            {upload.isPending ? null : 'Upload'}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

function SearchTab() {
  const id = useId();
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const results = useQuery({
    queryKey: ['knowledge-search', query],
    enabled: query.length > 0,
    queryFn: ({ signal }) => searchKnowledge(query, 8, signal),
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Search</CardTitle>
        <CardDescription>The passages an answer would quote for these words, best first.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <form
          role="search"
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(text.trim());
          }}
        >
          <div className="flex min-w-64 flex-1 flex-col gap-1.5">
            <Label htmlFor={id}>Search the knowledge base</Label>
            <Input id={id} type="search" className="h-11" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. what causes porosity in welds" />
          </div>
          <Button type="submit" className="h-11" disabled={!text.trim()}>
            <Search aria-hidden="true" />
            Search
          </Button>
        </form>
        {results.isError ? <AskErrorMessage error={results.error} /> : null}
        {results.isFetching ? <Spinner label="Searching" /> : null}
        {results.isSuccess && results.data.length === 0 ? <EmptyState title="Nothing found">No passage matches these words. Try other words, or add a document.</EmptyState> : null}
        {results.data?.length ? (
          <ol className="flex flex-col gap-3" aria-label="Passages found" data-testid="knowledge-results">
            {results.data.map((p) => (
              <li key={p.id} className="flex flex-col gap-1 rounded-md border p-3" data-testid="knowledge-passage">
                <p className="flex flex-wrap items-center gap-2 text-sm">
                  <BookOpen className="size-4 text-primary" aria-hidden="true" />
                  <span className="font-medium">{p.documentTitle ?? 'Document'}</span>
                  {p.source ? <span className="text-muted-foreground">{p.source}</span> : null}
                  {p.score !== undefined ? <span className="ml-auto text-xs tabular-nums text-muted-foreground">score {p.score.toFixed(2)}</span> : null}
                </p>
                <p className="whitespace-pre-line text-sm">
                  {markTerms(p.text, query).map((piece, i) => (piece.mark ? <mark key={i} className="rounded-sm bg-warning/25 px-0.5 text-foreground">{piece.text}</mark> : <span key={i}>{piece.text}</span>))}
                </p>
              </li>
            ))}
          </ol>
        ) : null}
      </CardContent>
    </Card>
  );
}

function UnhelpfulTab() {
  const list = useInfiniteQuery({
    queryKey: ['questions', 'unhelpful'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => listUnhelpful(pageParam, signal),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Answers marked not helpful</CardTitle>
        <CardDescription>What people asked, what they were told and what they said was wrong: material for better documents and answers.</CardDescription>
      </CardHeader>
      <CardContent>
        {list.isError ? <AskErrorMessage error={list.error} /> : null}
        {list.isPending ? <Skeleton className="h-32" /> : null}
        {list.isSuccess && items.length === 0 ? <EmptyState title="No unhelpful answers">Nobody has marked an answer as not helpful.</EmptyState> : null}
        {items.length ? (
          <ul className="flex flex-col divide-y" data-testid="knowledge-unhelpful">
            {items.map((q) => {
              const f = latestFeedback(q);
              return (
                <li key={q.id} className="flex flex-col gap-1 py-3 text-sm">
                  <p className="font-medium">&ldquo;{q.question}&rdquo;</p>
                  <p>{q.answer.short}</p>
                  {f?.comment ? <p className="text-muted-foreground">Comment: {f.comment}</p> : null}
                  {f?.correction && (f.correction.verdict || f.correction.label) ? (
                    <p className="text-muted-foreground">Correction: {[f.correction.verdict, f.correction.label].filter(Boolean).join(', ')}</p>
                  ) : null}
                  <p className="flex flex-wrap gap-x-3 text-xs text-muted-foreground">
                    <span>
                      {q.createdBy} &middot; <time dateTime={q.createdAt}>{dateTime(q.createdAt)}</time>
                    </span>
                    <Link to="/inspections/$inspectionId" params={{ inspectionId: q.inspectionId }} className="text-primary underline-offset-4 hover:underline">
                      Open the inspection
                    </Link>
                  </p>
                </li>
              );
            })}
          </ul>
        ) : null}
        {list.hasNextPage ? (
          <Button variant="outline" className="h-11" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? 'Loading\u2026' : 'Show more'}
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}
