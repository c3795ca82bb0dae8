/** A shell-safe single-quoted word. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The attempt as a curl command: the same URL, headers and body (its signature will have aged). */
export function curlCommand(url: string, headers: Record<string, string>, body: string): string {
  const lines = [`curl -X POST ${quote(url)}`];
  for (const [name, value] of Object.entries(headers)) {
    if (['content-length', 'host', 'connection'].includes(name.toLowerCase())) continue;
    lines.push(`  -H ${quote(`${name}: ${value}`)}`);
  }
  lines.push(`  --data-raw ${quote(body)}`);
  return lines.join(' \\\n');
}

/** The outgoing body, rebuilt from the event: compact JSON with keys id, type, timestamp, data. */
export function eventBody(event: { id: string; type: string; createdAt: string; data: unknown }): string {
  return `{"id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)},"timestamp":${JSON.stringify(event.createdAt)},"data":${JSON.stringify(event.data)}}`;
}
