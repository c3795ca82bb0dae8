import { useId, useState } from 'react';
import type { Subscription } from '../api/models';
import { Button, Card, CopyButton, Dialog, ErrorNotice, Field, Notice } from '../ui/components';
import { usePortal } from './portal-context';

const GRACE = [
  { seconds: 0, label: 'None: the old secret stops at once' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours (recommended)' },
  { seconds: 7 * 86_400, label: '7 days' },
];

/** Reveal and rotate the signing secret; for `v1a` endpoints, the public key to verify with. */
export function SecretCard({ subscription }: { subscription: Subscription }) {
  const { tenant, readOnly } = usePortal();
  const id = useId();
  const asymmetric = subscription.signatureScheme === 'v1a';
  const [shown, setShown] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [grace, setGrace] = useState(86_400);
  const [rotated, setRotated] = useState<string>();

  const reveal = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const revealed = await tenant.secret(subscription.id);
      setShown(revealed.secret ?? revealed.publicKey);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const rotate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await tenant.rotateSecret(subscription.id, grace);
      const revealed = await tenant.secret(subscription.id);
      setShown(revealed.secret ?? revealed.publicKey);
      setRotated(
        grace === 0
          ? 'The new secret signs from now on; the old one no longer works.'
          : `The new secret signs from now on; until the grace period ends, every request also carries a signature with the old one.`,
      );
      setRotating(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={asymmetric ? 'Public key (v1a, Ed25519)' : 'Signing secret'}>
      <p className="muted" style={{ marginTop: 0 }}>
        {asymmetric
          ? 'Requests are signed with Ed25519 (v1a); verify them with this public key.'
          : 'Every request is signed with this secret (Standard Webhooks). Verify the signature before trusting a request.'}
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {rotated && <Notice tone="good">{rotated}</Notice>}
      <div className="secret" aria-label={asymmetric ? 'Public key' : 'Signing secret'}>
        {shown ?? (asymmetric ? 'whpk_••••••••••••••••' : 'whsec_••••••••••••••••')}
      </div>
      <div className="row" style={{ marginTop: 10 }}>
        {shown ? (
          <CopyButton text={shown} />
        ) : (
          <Button small icon="eye" onClick={reveal} busy={busy}>
            {asymmetric ? 'Show key' : 'Reveal secret'}
          </Button>
        )}
        {!readOnly && !asymmetric && (
          <Button small icon="refresh" onClick={() => setRotating(true)}>
            Rotate secret
          </Button>
        )}
      </div>
      <Dialog title="Rotate the signing secret" open={rotating} onClose={() => setRotating(false)}>
        <p>A new secret is generated and signs every request from now on. Keep accepting the old one for a while so your servers can switch without failing.</p>
        <Field label="Keep the old secret valid for" htmlFor={`${id}-grace`}>
          <select id={`${id}-grace`} value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
            {GRACE.map((g) => (
              <option key={g.seconds} value={g.seconds}>
                {g.label}
              </option>
            ))}
          </select>
        </Field>
        <div className="form-actions">
          <Button onClick={() => setRotating(false)}>Cancel</Button>
          <Button variant="primary" onClick={rotate} busy={busy}>
            Rotate now
          </Button>
        </div>
      </Dialog>
    </Card>
  );
}
