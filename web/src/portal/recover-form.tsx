import { type FormEvent, useEffect, useId, useState } from 'react';
import type { Replay } from '../api/models';
import { fromLocalInput, toLocalInput } from '../lib/format';
import { Button, ErrorNotice, Field, Notice, ProgressBar } from '../ui/components';
import { usePortal } from './portal-context';

/** Polls a replay until it is completed; the portal and console show the same progress. */
export function useReplayProgress(initial: Replay | undefined, load: (id: string) => Promise<Replay>) {
  const [replay, setReplay] = useState(initial);
  const [error, setError] = useState<unknown>();
  // Follows a replay the parent just started.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => setReplay(initial), [initial]);
  useEffect(() => {
    if (!replay || replay.status === 'completed' || replay.status === 'failed') return;
    const timer = setTimeout(() => void load(replay.id).then(setReplay, setError), 1000);
    return () => clearTimeout(timer);
  }, [replay, load]);
  return { replay, error };
}

export function ReplayProgress({ replay, error }: { replay: Replay; error?: unknown }) {
  const done = replay.status === 'completed';
  return (
    <div className="stack" aria-live="polite">
      {error ? <ErrorNotice error={error} /> : null}
      <ProgressBar value={done ? replay.matched : replay.completed} max={Math.max(replay.matched, 1)} label="Progress" />
      <div>
        {replay.status === 'failed' ? (
          <strong>
            The replay stopped on an error after {replay.queued} of {replay.matched} deliveries. Try again, or ask support.
          </strong>
        ) : done ? (
          <strong>
            Done: {replay.queued} of {replay.matched} deliveries sent again.
          </strong>
        ) : (
          <span>
            Working: {replay.matched} matched, {replay.queued} queued, {replay.completed} finished…
          </span>
        )}
      </div>
    </div>
  );
}

/**
 * Recover: re-sends every failed or dead delivery of this endpoint since a time, and the events it
 * missed while disabled.
 */
export function RecoverForm({ subscriptionId, onClose }: { subscriptionId: string; onClose: () => void }) {
  const { tenant } = usePortal();
  const id = useId();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [started, setStarted] = useState<Replay>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const progress = useReplayProgress(started, tenant.replay);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const iso = fromLocalInput(since);
    if (!iso) return setError(new Error('Choose a start time.'));
    setBusy(true);
    setError(undefined);
    try {
      setStarted(await tenant.recover(subscriptionId, iso));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (progress.replay) {
    return (
      <div className="stack">
        <ReplayProgress replay={progress.replay} error={progress.error} />
        <div className="form-actions">
          <Button variant="primary" onClick={onClose}>
            Close
          </Button>
        </div>
      </div>
    );
  }
  return (
    <form onSubmit={submit} noValidate>
      <Notice>
        Sends again every failed or dead delivery to this endpoint since this time, and the events it missed while disabled. Deliveries that succeeded are not sent twice.
      </Notice>
      {error ? <ErrorNotice error={error} /> : null}
      <Field label="Recover since" htmlFor={`${id}-since`} hint="Your local time.">
        <input id={`${id}-since`} type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} required />
      </Field>
      <div className="form-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" icon="refresh" busy={busy}>
          Start recovery
        </Button>
      </div>
    </form>
  );
}
