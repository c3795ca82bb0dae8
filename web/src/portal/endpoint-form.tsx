import { type FormEvent, useId, useMemo, useState } from 'react';
import { ApiError } from '../api/client';
import type { EventType, Subscription } from '../api/models';
import type { SubscriptionInput } from '../api/tenant-api';
import { wildcardsFor } from '../lib/event-type-patterns';
import { Button, ErrorNotice, Field } from '../ui/components';

export function EndpointForm({
  initial,
  catalogue,
  onSubmit,
  onCancel,
  submitLabel,
}: {
  initial?: Subscription;
  catalogue: EventType[];
  onSubmit: (input: SubscriptionInput) => Promise<void>;
  onCancel: () => void;
  submitLabel: string;
}) {
  const id = useId();
  const [url, setUrl] = useState(initial?.url ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [allTypes, setAllTypes] = useState(!initial || initial.eventTypes.length === 0);
  const [types, setTypes] = useState<string[]>(initial?.eventTypes ?? []);
  const [custom, setCustom] = useState('');
  const [headers, setHeaders] = useState<[string, string][]>(Object.entries(initial?.headers ?? {}));
  const [rateLimit, setRateLimit] = useState(initial?.rateLimitPerSecond ? String(initial.rateLimitPerSecond) : '');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const names = useMemo(() => catalogue.map((t) => t.name), [catalogue]);
  const options = useMemo(() => [...wildcardsFor(names), ...names, ...types.filter((t) => !names.includes(t) && !t.endsWith('.*'))], [names, types]);
  const apiError = error instanceof ApiError ? error : undefined;
  const fieldError = (field: string) => apiError?.fieldMessage(field);
  const unmapped =
    apiError && !(apiError.problem.errors ?? []).some((e) => ['url', 'description', 'eventTypes', 'headers', 'rateLimitPerSecond'].some((f) => e.field.startsWith(f)));

  const toggle = (name: string) => setTypes((current) => (current.includes(name) ? current.filter((t) => t !== name) : [...current, name]));
  const addCustom = () => {
    const value = custom.trim();
    if (value && !types.includes(value)) setTypes([...types, value]);
    setCustom('');
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit({
        url: url.trim(),
        description: description.trim() || null,
        eventTypes: allTypes ? [] : types,
        headers: Object.fromEntries(headers.filter(([name]) => name.trim()).map(([name, value]) => [name.trim(), value])),
        rateLimitPerSecond: rateLimit.trim() ? Number(rateLimit) : null,
      });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      {error !== undefined && (!apiError || unmapped) ? <ErrorNotice error={error} /> : null}
      <Field label="Endpoint URL" htmlFor={`${id}-url`} error={fieldError('url')} hint="Where we POST your webhooks: an https URL your server answers with a 2xx.">
        <input id={`${id}-url`} type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/webhooks" autoComplete="off" />
      </Field>
      <Field label="Description" htmlFor={`${id}-description`} error={fieldError('description')}>
        <input id={`${id}-description`} type="text" value={description} onChange={(e) => setDescription(e.target.value)} placeholder="Optional, e.g. Production billing" />
      </Field>
      <fieldset className="field" aria-describedby={`${id}-types-hint`}>
        <legend className="label">Events to send</legend>
        <label className="check">
          <input type="radio" name={`${id}-all`} checked={allTypes} onChange={() => setAllTypes(true)} /> All event types
        </label>
        <label className="check">
          <input type="radio" name={`${id}-all`} checked={!allTypes} onChange={() => setAllTypes(false)} /> Only the types I choose
        </label>
        {!allTypes && (
          <>
            <div className="checks" role="group" aria-label="Event types">
              {options.length === 0 && <span className="muted">The catalogue is empty: add a type name or pattern below.</span>}
              {options.map((name) => (
                <label key={name} className="check">
                  <input type="checkbox" checked={types.includes(name)} onChange={() => toggle(name)} />
                  <span className="mono">{name}</span>
                  {name.endsWith('.*') && <span className="muted">every {name.slice(0, -2)} event</span>}
                </label>
              ))}
            </div>
            <div className="row">
              <input
                type="text"
                aria-label="Other event type or pattern"
                placeholder="e.g. invoice.* or order.shipped"
                value={custom}
                onChange={(e) => setCustom(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    addCustom();
                  }
                }}
              />
              <Button small onClick={addCustom} disabled={!custom.trim()}>
                Add
              </Button>
            </div>
          </>
        )}
        <div className="hint" id={`${id}-types-hint`}>
          A pattern ending in <span className="mono">.*</span> matches every type with that prefix.
        </div>
        {fieldError('eventTypes') && (
          <div className="error-text" role="alert">
            {fieldError('eventTypes')}
          </div>
        )}
      </fieldset>
      <fieldset className="field">
        <legend className="label">Custom headers</legend>
        {headers.map(([name, value], index) => (
          <div className="kv-row" key={index}>
            <input
              type="text"
              aria-label={`Header ${index + 1} name`}
              placeholder="X-Api-Token"
              value={name}
              onChange={(e) => setHeaders(headers.map((h, i) => (i === index ? [e.target.value, h[1]] : h)))}
            />
            <input
              type="text"
              aria-label={`Header ${index + 1} value`}
              placeholder="value"
              value={value}
              onChange={(e) => setHeaders(headers.map((h, i) => (i === index ? [h[0], e.target.value] : h)))}
            />
            <Button small variant="ghost" label={`Remove header ${index + 1}`} onClick={() => setHeaders(headers.filter((_, i) => i !== index))}>
              Remove
            </Button>
          </div>
        ))}
        <div>
          <Button small icon="plus" onClick={() => setHeaders([...headers, ['', '']])}>
            Add header
          </Button>
        </div>
        <div className="hint">Sent with every delivery, e.g. a token your endpoint checks.</div>
        {fieldError('headers') && (
          <div className="error-text" role="alert">
            {fieldError('headers')}
          </div>
        )}
      </fieldset>
      <Field label="Rate limit (requests per second)" htmlFor={`${id}-rate`} error={fieldError('rateLimitPerSecond')} hint="Leave empty for no limit.">
        <input id={`${id}-rate`} type="number" min={1} max={10000} value={rateLimit} onChange={(e) => setRateLimit(e.target.value)} />
      </Field>
      <div className="form-actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
