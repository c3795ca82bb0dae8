import type { PublishRequest } from '@hookline/grpc-contract';
import { newId } from '@hookline/ids';
import { eventBody } from '@hookline/signing';

/**
 * Event data padded so that the outgoing webhook body (docs/contract.md#the-request-your-endpoint-receives: id, type, timestamp, data)
 * is exactly `bodyBytes` long, whichever path sends it.
 */
export class Payloads {
  private readonly pads = new Map<string, string>();

  constructor(private readonly bodyBytes: number) {}

  /** `data` of event number `seq` of `type`, as compact JSON. */
  dataJson(type: string, seq: number): string {
    return `{"seq":"${String(seq).padStart(10, '0')}","pad":"${this.pad(type)}"}`;
  }

  /** The body of `POST /v1/tenants/{t}/events`. */
  publishBody(type: string, seq: number): string {
    return `{"type":${JSON.stringify(type)},"data":${this.dataJson(type, seq)}}`;
  }

  /** The same event as a gRPC `PublishRequest` (docs/contract.md#grpc). */
  publishRequest(tenantId: string, type: string, seq: number): PublishRequest {
    return { tenantId, type, dataJson: Buffer.from(this.dataJson(type, seq)), idempotencyKey: '' };
  }

  private pad(type: string): string {
    let pad = this.pads.get(type);
    if (pad === undefined) {
      const sample = eventBody({ id: newId('evt'), type, timestamp: new Date().toISOString(), dataJson: `{"seq":"0000000000","pad":""}` });
      pad = 'x'.repeat(Math.max(0, this.bodyBytes - Buffer.byteLength(sample)));
      this.pads.set(type, pad);
    }
    return pad;
  }
}
