import { exampleFromSchema } from '../lib/example-from-schema';
import { prettyJson } from '../lib/format';
import { Card, Code, EmptyState, ErrorNotice, PageHeader, Spinner, useLoad } from '../ui/components';
import { usePortal } from './portal-context';

/** The catalogue of event types a customer can subscribe to, with schema and an example payload. */
export function EventTypesPage() {
  const { tenant } = usePortal();
  const catalogue = useLoad(() => tenant.eventTypes(), [tenant]);
  return (
    <>
      <PageHeader title="Event catalogue" subtitle="Every event type we send, what it means and what its data looks like." />
      {catalogue.error ? <ErrorNotice error={catalogue.error} onRetry={catalogue.reload} /> : null}
      {!catalogue.data && !catalogue.error && <Spinner label="Loading the catalogue" />}
      {catalogue.data?.length === 0 && (
        <Card>
          <EmptyState title="No event types published yet" icon="book">
            Endpoints that listen to all events receive every type as it is introduced.
          </EmptyState>
        </Card>
      )}
      <div className="stack">
        {catalogue.data?.map((type) => (
          <Card key={type.name} title={<span className="mono">{type.name}</span>}>
            <p style={{ marginTop: 0 }}>{type.description ?? <span className="muted">No description.</span>}</p>
            <div className="grid-2">
              <div>
                <h3>Example data</h3>
                <Code label={`Example data of ${type.name}`}>{prettyJson(exampleFromSchema(type.schema))}</Code>
              </div>
              <div>
                <h3>Schema</h3>
                {type.schema ? <Code label={`Schema of ${type.name}`}>{prettyJson(type.schema)}</Code> : <p className="muted">Any JSON: this type has no schema.</p>}
              </div>
            </div>
          </Card>
        ))}
      </div>
    </>
  );
}
