import { type FormEvent, useId, useMemo, useState } from 'react';
import { ApiError } from '../api/client';
import type { EventType, EventView } from '../api/models';
import { exampleFromSchema } from '../lib/example-from-schema';
import { prettyJson } from '../lib/format';
import { Button, ErrorNotice, Field } from '../ui/components';
import { usePortal } from './portal-context';

const TEST_TYPE = 'webhook.test';

/** Sends one event of a chosen type to this endpoint only, its payload prefilled from the type's schema. */
export function TestEventForm({
  subscriptionId,
  catalogue,
  onSent,
  onCancel,
}: {
  subscriptionId: string;
  catalogue: EventType[];
  onSent: (event: EventView) => void;
  onCancel: () => void;
}) {
  const { tenant } = usePortal();
  const id = useId();
  const types = useMemo(() => [TEST_TYPE, ...catalogue.map((t) => t.name).filter((n) => n !== TEST_TYPE)], [catalogue]);
  const exampleFor = (name: string) => prettyJson(exampleFromSchema(catalogue.find((t) => t.name === name)?.schema ?? null));
  const [type, setType] = useState(TEST_TYPE);
  const [payload, setPayload] = useState(() => exampleFor(TEST_TYPE));
  const [jsonError, setJsonError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const choose = (name: string) => {
    setType(name);
    setPayload(exampleFor(name));
    setJsonError(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let data: unknown;
    try {
      data = JSON.parse(payload);
    } catch (caught) {
      setJsonError(`This is not valid JSON: ${(caught as Error).message}`);
      return;
    }
    setJsonError(undefined);
    setError(undefined);
    setBusy(true);
    try {
      onSent(await tenant.sendTest(subscriptionId, type, data));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const dataError = error instanceof ApiError ? error.fieldMessage('data') : undefined;

  return (
    <form onSubmit={submit} noValidate>
      {error !== undefined && !dataError ? <ErrorNotice error={error} /> : null}
      <Field label="Event type" htmlFor={`${id}-type`} hint={catalogue.find((t) => t.name === type)?.description ?? 'A test event your endpoint can recognise by its type.'}>
        <select id={`${id}-type`} value={type} onChange={(e) => choose(e.target.value)}>
          {types.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Payload (data)" htmlFor={`${id}-payload`} error={jsonError ?? dataError} hint="An example built from the type's schema; edit it as you like.">
        <textarea id={`${id}-payload`} value={payload} onChange={(e) => setPayload(e.target.value)} rows={10} spellCheck={false} />
      </Field>
      <div className="form-actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" icon="send" busy={busy}>
          Send test event
        </Button>
      </div>
    </form>
  );
}
