import { type FormEvent, useId, useState } from 'react';
import { ApiError } from '../api/client';
import type { EventType } from '../api/models';
import { prettyJson } from '../lib/format';
import { Button, Card, Dialog, EmptyState, ErrorNotice, Field, PageHeader, Spinner, useLoad } from '../ui/components';
import { useConsole } from './console-context';

function EventTypeForm({ initial, onDone }: { initial?: EventType; onDone: () => void }) {
  const { admin } = useConsole();
  const id = useId();
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [schema, setSchema] = useState(initial?.schema ? prettyJson(initial.schema) : '');
  const [schemaError, setSchemaError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let parsed: Record<string, unknown> | null = null;
    if (schema.trim()) {
      try {
        parsed = JSON.parse(schema);
      } catch (caught) {
        return setSchemaError(`Not valid JSON: ${(caught as Error).message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return setSchemaError('A JSON Schema is a JSON object, e.g. {"type": "object"}.');
    }
    setSchemaError(undefined);
    setError(undefined);
    setBusy(true);
    try {
      if (initial) await admin.updateEventType(initial.name, { description: description.trim(), schema: parsed });
      else await admin.createEventType({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}), ...(parsed ? { schema: parsed } : {}) });
      onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldMessage(field) : undefined);
  return (
    <form onSubmit={submit} noValidate>
      {error && !fieldError('name') && !fieldError('schema') && !fieldError('description') ? <ErrorNotice error={error} /> : null}
      <Field label="Name" htmlFor={`${id}-name`} error={fieldError('name')} hint="Dot-separated, e.g. invoice.paid.">
        <input id={`${id}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} disabled={!!initial} required />
      </Field>
      <Field label="Description" htmlFor={`${id}-description`} error={fieldError('description')}>
        <input id={`${id}-description`} type="text" value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <Field label="JSON Schema for data" htmlFor={`${id}-schema`} error={schemaError ?? fieldError('schema')} hint="Optional. Published events are validated against it.">
        <textarea
          id={`${id}-schema`}
          rows={12}
          value={schema}
          onChange={(e) => setSchema(e.target.value)}
          spellCheck={false}
          placeholder='{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}'
        />
      </Field>
      <div className="form-actions">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy}>
          {initial ? 'Save' : 'Create event type'}
        </Button>
      </div>
    </form>
  );
}

export function ConsoleEventTypesPage() {
  const { admin } = useConsole();
  const list = useLoad(() => admin.eventTypes(), []);
  const [editing, setEditing] = useState<EventType | 'new'>();
  const close = () => {
    setEditing(undefined);
    list.reload();
  };
  return (
    <>
      <PageHeader
        title="Event types"
        subtitle="The catalogue customers subscribe to."
        actions={
          <Button variant="primary" icon="plus" onClick={() => setEditing('new')}>
            New event type
          </Button>
        }
      />
      <Card className="card-flush">
        {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
        {!list.data && !list.error && <Spinner />}
        {list.data?.data.length === 0 && (
          <EmptyState title="The catalogue is empty" icon="tag">
            Add the event types your product publishes.
          </EmptyState>
        )}
        {list.data && list.data.data.length > 0 && (
          <table aria-label="Event types">
            <thead>
              <tr>
                <th>Name</th>
                <th className="hide-narrow">Description</th>
                <th>Schema</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((t) => (
                <tr key={t.name}>
                  <td className="mono">{t.name}</td>
                  <td className="hide-narrow">{t.description ?? <span className="muted">—</span>}</td>
                  <td>{t.schema ? 'Yes' : <span className="muted">None</span>}</td>
                  <td>
                    <Button small onClick={() => setEditing(t)} label={`Edit ${t.name}`}>
                      Edit
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Dialog title={editing === 'new' ? 'New event type' : `Edit ${editing?.name ?? ''}`} open={!!editing} onClose={() => setEditing(undefined)} wide>
        <EventTypeForm initial={editing === 'new' ? undefined : editing} onDone={close} />
      </Dialog>
    </>
  );
}
