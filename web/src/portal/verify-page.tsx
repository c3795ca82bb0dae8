import { type FormEvent, useId, useState } from 'react';
import { Webhook } from 'standardwebhooks';
import { Button, Card, Code, Notice, PageHeader, useLoad } from '../ui/components';
import { usePortal } from './portal-context';

const SNIPPETS = {
  Node: `// npm install standardwebhooks express
import express from 'express';
import { Webhook } from 'standardwebhooks';

const app = express();
const wh = new Webhook(process.env.WEBHOOK_SECRET); // whsec_...

app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  try {
    // Throws unless the signature matches and the timestamp is within 5 minutes.
    const event = wh.verify(req.body.toString('utf8'), req.headers);
    // Deduplicate on req.headers['webhook-id']: a retry carries the same id.
    res.sendStatus(204);
  } catch {
    res.sendStatus(400);
  }
});`,
  Python: `# pip install standardwebhooks flask
import os
from flask import Flask, request
from standardwebhooks.webhooks import Webhook

app = Flask(__name__)
wh = Webhook(os.environ["WEBHOOK_SECRET"])  # whsec_...

@app.post("/webhooks")
def receive():
    # Use the raw body: re-serialised JSON would not match the signature.
    payload = wh.verify(request.get_data(), dict(request.headers))
    return "", 204`,
  Go: `// go get github.com/standard-webhooks/standard-webhooks/libraries/go
import (
	"io"
	"net/http"
	"os"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

wh, _ := standardwebhooks.NewWebhook(os.Getenv("WEBHOOK_SECRET")) // whsec_...

func receive(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := wh.Verify(body, r.Header); err != nil {
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}`,
};
type Language = keyof typeof SNIPPETS;

/** `name: value` lines, as copied from a request log, into a header map. */
export function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function VerifyForm() {
  const { tenant } = usePortal();
  const id = useId();
  const endpoints = useLoad(() => tenant.subscriptions(), [tenant]);
  const [endpoint, setEndpoint] = useState('');
  const [secret, setSecret] = useState('');
  const [payload, setPayload] = useState('');
  const [headers, setHeaders] = useState('');
  const [result, setResult] = useState<{ ok: boolean; message: string }>();

  const chooseEndpoint = async (subscriptionId: string) => {
    setEndpoint(subscriptionId);
    if (!subscriptionId) return;
    try {
      const revealed = await tenant.secret(subscriptionId);
      setSecret(revealed.secret ?? '');
    } catch {
      setResult({ ok: false, message: 'Could not load that endpoint’s secret; paste it instead.' });
    }
  };

  const verify = (event: FormEvent) => {
    event.preventDefault();
    try {
      const parsed = parseHeaderLines(headers);
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        if (!parsed[name]) return setResult({ ok: false, message: `The headers need a ${name} line.` });
      }
      new Webhook(secret.trim()).verify(payload, parsed);
      setResult({ ok: true, message: 'The signature is valid: this payload was signed with this secret.' });
    } catch (caught) {
      const message = (caught as Error).message;
      setResult({
        ok: false,
        message: /timestamp/i.test(message)
          ? `The signature cannot be accepted: ${message}. Signatures are valid for 5 minutes; send a fresh test event to check a new one.`
          : `The signature does not match: ${message}. Check the secret, and that the payload is exactly the raw body received.`,
      });
    }
  };

  return (
    <form onSubmit={verify} noValidate>
      <p className="muted" style={{ marginTop: 0 }}>
        Checks a request your server received, in this browser: nothing you paste is sent anywhere.
      </p>
      <div className="grid-2">
        <div className="field">
          <label htmlFor={`${id}-endpoint`}>Endpoint</label>
          <select id={`${id}-endpoint`} value={endpoint} onChange={(e) => void chooseEndpoint(e.target.value)}>
            <option value="">Paste a secret instead…</option>
            {endpoints.data?.data
              .filter((s) => s.signatureScheme === 'v1')
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.url}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-secret`}>Signing secret</label>
          <input id={`${id}-secret`} type="password" value={secret} onChange={(e) => setSecret(e.target.value)} placeholder="whsec_…" autoComplete="off" />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-payload`}>Payload (the raw request body)</label>
        <textarea
          id={`${id}-payload`}
          value={payload}
          onChange={(e) => setPayload(e.target.value)}
          spellCheck={false}
          placeholder='{"id":"evt_…","type":"…","timestamp":"…","data":{…}}'
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-headers`}>Headers (one per line)</label>
        <textarea
          id={`${id}-headers`}
          value={headers}
          onChange={(e) => setHeaders(e.target.value)}
          spellCheck={false}
          placeholder={'webhook-id: evt_…\nwebhook-timestamp: 1700000000\nwebhook-signature: v1,…'}
        />
      </div>
      {result && <Notice tone={result.ok ? 'good' : 'bad'}>{result.message}</Notice>}
      <div className="form-actions">
        <Button type="submit" variant="primary" icon="shield" disabled={!secret || !payload}>
          Verify signature
        </Button>
      </div>
    </form>
  );
}

export default function VerifyPage() {
  const [language, setLanguage] = useState<Language>('Node');
  return (
    <>
      <PageHeader title="Verify signatures" subtitle="Every request carries Standard Webhooks signature headers. Check them before trusting a request." />
      <div className="stack">
        <Card title="Receiver code">
          <div className="tabs" role="tablist" aria-label="Language">
            {(Object.keys(SNIPPETS) as Language[]).map((name) => (
              <button key={name} type="button" role="tab" aria-selected={language === name} onClick={() => setLanguage(name)}>
                {name}
              </button>
            ))}
          </div>
          <Code label={`${language} receiver`}>{SNIPPETS[language]}</Code>
          <p className="hint">
            Headers: <span className="mono">webhook-id</span> (the same on every retry: deduplicate on it), <span className="mono">webhook-timestamp</span>,{' '}
            <span className="mono">webhook-signature</span>. GitHub-style receivers can check <span className="mono">x-hub-signature-256</span> instead.
          </p>
        </Card>
        <Card title="Check a request">
          <VerifyForm />
        </Card>
      </div>
    </>
  );
}
