import { type FormEvent, useEffect, useId, useState } from 'react';
import type { BulkJob } from '../api/models';
import { Button, Card, Dialog, EmptyState, ErrorNotice, PageHeader, ProgressBar, Spinner, StatusBadge, Time, useLoad } from '../ui/components';
import { useConsole } from './console-context';

const FINAL = ['completed', 'completed_with_errors', 'failed'];

export function BulkJobsPage() {
  const { admin } = useConsole();
  const id = useId();
  const [draft, setDraft] = useState('');
  const [tenantId, setTenantId] = useState('');
  const jobs = useLoad(() => (tenantId ? admin.bulkJobs(tenantId) : Promise.resolve(null)), [tenantId]);
  const [errorsOf, setErrorsOf] = useState<BulkJob>();
  const errors = useLoad(() => (errorsOf ? admin.bulkJobErrors(tenantId, errorsOf.id) : Promise.resolve([])), [errorsOf?.id]);
  const running = jobs.data?.data.some((j) => !FINAL.includes(j.status));
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(jobs.reload, 2000);
    return () => clearTimeout(timer);
    // `jobs.reload` is a new function each render: re-arm on new data only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jobs.data, running]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTenantId(draft.trim());
  };
  return (
    <>
      <PageHeader title="Bulk jobs" subtitle="Uploaded files of events, processed in chunks." />
      <Card className="card-flush">
        <form className="filters" onSubmit={submit}>
          <div className="field">
            <label htmlFor={`${id}-tenant`}>Tenant id</label>
            <input id={`${id}-tenant`} type="text" placeholder="ten_…" value={draft} onChange={(e) => setDraft(e.target.value)} />
          </div>
          <Button type="submit">Show jobs</Button>
        </form>
        {!tenantId && (
          <EmptyState title="Choose a tenant" icon="upload">
            Bulk jobs belong to a tenant: enter its id.
          </EmptyState>
        )}
        {jobs.error ? <ErrorNotice error={jobs.error} onRetry={jobs.reload} /> : null}
        {tenantId && jobs.loading && !jobs.data && <Spinner label="Loading bulk jobs" />}
        {jobs.data?.data.length === 0 && (
          <EmptyState title="No bulk jobs" icon="upload">
            This tenant has not uploaded a file.
          </EmptyState>
        )}
        {jobs.data && jobs.data.data.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Bulk jobs">
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Rows</th>
                  <th>Created</th>
                  <th>
                    <span className="visually-hidden">Errors</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.data.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <StatusBadge status={j.status} />
                    </td>
                    <td style={{ minWidth: 200 }}>
                      <ProgressBar value={j.acceptedRows + j.failedRows} max={Math.max(1, j.totalRows)} label={`Progress of ${j.id}`} />
                      <span className="hint">
                        {j.acceptedRows.toLocaleString()} accepted · {j.failedRows.toLocaleString()} failed · {j.totalRows.toLocaleString()} total
                      </span>
                    </td>
                    <td>
                      <Time iso={j.createdAt} />
                    </td>
                    <td>
                      {j.failedRows > 0 && (
                        <Button small onClick={() => setErrorsOf(j)} label={`Error rows of ${j.id}`}>
                          Error rows
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Dialog title="Rows that failed" open={!!errorsOf} onClose={() => setErrorsOf(undefined)} wide>
        {errors.loading ? (
          <Spinner />
        ) : (
          <table aria-label="Error rows">
            <thead>
              <tr>
                <th>Line</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {errors.data?.map((e) => (
                <tr key={e.line}>
                  <td>{e.line}</td>
                  <td>{e.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="hint">The first 200 rows are shown.</p>
      </Dialog>
    </>
  );
}
