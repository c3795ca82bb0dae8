import { Inject, Injectable, Logger } from '@nestjs/common';
import { isolateFailures } from '@hookline/batching';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { SqlPool } from '@hookline/database';
import { dataFieldErrors, EventTypeValidators } from '@hookline/event-types';
import { newId } from '@hookline/ids';
import type { FieldError } from '@hookline/http-problem';
import { DeliveryEnqueuer, DeliveryJobData } from '@hookline/queue';
import type { TraceCarrier } from '@hookline/tracing';
import { PublishInput } from './event-views';
import { autocommitFailure, ClaimVanished, CommitUnknown, isPostgresAnswer, TransactionBroken, transactionFailure } from './publish-faults';
import { BULK_PUBLISH_SQL, CLAIMS_SQL, LIVE_CLAIMS_SQL } from './bulk-publish.sql';
import { publishRequestHash } from './request-hash';

/**
 * Where the statements run: a node-postgres client, normally inside the caller's transaction.
 * Not Prisma: it keeps part of large raw-query parameters reachable (see SqlPool in
 * @hookline/database), and one call sends megabytes.
 */
export interface BulkPublishSql {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export type BulkPublishOutcome =
  | { status: 'published'; eventId: string; createdAt: Date; deliveryCount: number }
  /** The idempotency key was already used for the same type and data: nothing new is created. */
  | { status: 'replayed'; eventId: string }
  | { status: 'rejected'; error: string; problem: PublishProblem };

/** A rejection as `POST /events` answers it: status, detail, the fields at fault and the problem type's slug. */
export interface PublishProblem {
  status: 409 | 413 | 422;
  detail: string;
  fields: FieldError[];
  slug: string;
}

/** A publish of a batch; `onlySubscriptionId` makes it a test send (see TenantPublish). */
export interface BatchPublishInput extends PublishInput {
  onlySubscriptionId?: string;
}

export interface BulkPublishResult {
  /**
   * One per input, in input order. An Error is a failure of that input alone (the statement failed
   * with it even on its own, or, with nothing of it written, its key's claim could not be read back).
   */
  outcomes: (BulkPublishOutcome | Error)[];
  /** Jobs of the deliveries created; enqueue them with `enqueue` once the transaction committed. */
  deliveries: DeliveryJobData[];
}

interface Candidate {
  index: number;
  id: string;
  type: string;
  dataJson: string;
  key: string | null;
  hash: string | null;
  trace: TraceCarrier | null;
  only: string | null;
}

interface Claim {
  key: string;
  eventId: string;
  requestHash: string;
}

interface PublishedRow {
  eventIds: string[];
  createdAt: Date | null;
  deliveries: [deliveryId: string, eventId: string, subscriptionId: string][];
}

/** Keeps each addBulk small enough to finish well inside the enqueuer's timeout. */
const ENQUEUE_BATCH = 1_000;

/** One publish of a batch from any producer (REST, gRPC), for `publishEach`. */
export interface TenantPublish {
  tenantId: string;
  input: PublishInput;
  /** A test send: one delivery, to this subscription if it is active, whatever its event-type filter. */
  onlySubscriptionId?: string;
}

/**
 * `POST /events` for many events at once (bulk ingestion, and any other batch producer): the same
 * checks (payload size, the type's JSON Schema), the same idempotency rules (same key and request:
 * replayed, nothing created; same key, other request: rejected) and the same outbox (deliveries
 * written with their events, enqueued after commit), but set-based: one statement per call, not
 * one per event. A bad input is rejected on its own and never stops the others.
 */
@Injectable()
export class BulkPublishService {
  private readonly logger = new Logger(BulkPublishService.name);

  constructor(
    private readonly sql: SqlPool,
    private readonly enqueuer: DeliveryEnqueuer,
    private readonly validators: EventTypeValidators,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Publishes of several tenants at once, one statement per tenant, in parallel: a tenant's failure
   * never touches another's outcomes. Never throws. Enqueue `deliveries` afterwards.
   */
  async publishEach(requests: TenantPublish[]): Promise<BulkPublishResult> {
    const outcomes: (BulkPublishOutcome | Error)[] = new Array(requests.length);
    const byTenant = new Map<string, number[]>();
    requests.forEach((request, i) => {
      const positions = byTenant.get(request.tenantId);
      if (positions) positions.push(i);
      else byTenant.set(request.tenantId, [i]);
    });
    const deliveries: DeliveryJobData[] = [];
    await Promise.all(
      [...byTenant].map(async ([tenantId, positions]) => {
        const result = await this.publishMany(
          tenantId,
          positions.map((i) => {
            const { input, onlySubscriptionId } = requests[i];
            return onlySubscriptionId ? { ...input, onlySubscriptionId } : input;
          }),
        );
        result.outcomes.forEach((outcome, j) => (outcomes[positions[j]] = outcome));
        deliveries.push(...result.deliveries);
      }),
    );
    return { outcomes, deliveries };
  }

  /**
   * Inputs must have passed the same envelope checks as `POST /events` (type name, key length).
   * Happy path: one statement for all. If it fails, the inputs are published again in halves, down
   * to single inputs, so only an input that fails on its own fails (its outcome is the Error).
   *
   * Without `tx`, each statement commits by itself on the shared SqlPool and this never throws: an
   * outcome is 'published' exactly when its event committed. With `tx` (the caller's open
   * transaction: everything commits or nothing), each attempt runs under a savepoint, and what a
   * retry of the whole transaction may cure (a deadlock, a timeout, a lost connection) is thrown.
   */
  async publishMany(tenantId: string, inputs: BatchPublishInput[], tx?: BulkPublishSql): Promise<BulkPublishResult> {
    const deliveries: DeliveryJobData[] = [];
    const attempt = async (part: BatchPublishInput[]) => {
      const result = tx ? await inSavepoint(tx, () => this.publishTogether(tenantId, part, tx, true)) : await this.publishTogether(tenantId, part, this.sql, false);
      deliveries.push(...result.deliveries);
      return result.outcomes;
    };
    const onSplit = (error: unknown, count: number) => {
      if (count === inputs.length) this.logger.warn(`a publish of ${count} events of tenant ${tenantId} failed; publishing them in halves to find the cause: ${describe(error)}`);
    };
    const outcomes = await isolateFailures(inputs, attempt, tx ? transactionFailure : autocommitFailure, onSplit);
    return { outcomes, deliveries };
  }

  /**
   * All inputs in one statement. Throws only when nothing of them was written: after the statement
   * committed on its own (`inTransaction` false), a failure reading claims back fails only the
   * inputs that wrote nothing.
   */
  private async publishTogether(tenantId: string, inputs: BatchPublishInput[], db: BulkPublishSql, inTransaction: boolean): Promise<BulkPublishResult> {
    const outcomes: (BulkPublishOutcome | Error)[] = new Array(inputs.length);
    const sized: Candidate[] = [];
    inputs.forEach((input, index) => {
      const dataJson = JSON.stringify(input.data);
      if (Buffer.byteLength(dataJson) > this.config.MAX_PAYLOAD_BYTES) {
        const problem: PublishProblem = {
          status: 413,
          detail: `data is larger than ${this.config.MAX_PAYLOAD_BYTES} bytes`,
          fields: [{ field: 'data', message: 'too large' }],
          slug: 'payload-too-large',
        };
        outcomes[index] = { status: 'rejected', error: `data: larger than ${this.config.MAX_PAYLOAD_BYTES} bytes`, problem };
        return;
      }
      const key = input.idempotencyKey ?? null;
      const hash = key ? publishRequestHash(input.type, input.data) : null;
      sized.push({ index, id: newId('evt'), type: input.type, dataJson, key, hash, trace: input.trace ?? null, only: input.onlySubscriptionId ?? null });
    });

    // A key still live answers the row before the schema is checked: the schema may have been
    // tightened since the first publish, which was accepted, and a 422 would say it had failed.
    const live = await this.claims(db, tenantId, sized, LIVE_CLAIMS_SQL);
    const fresh: Candidate[] = [];
    for (const candidate of sized) {
      if (candidate.key !== null && live.has(candidate.key)) this.settle(candidate, live, outcomes);
      else fresh.push(candidate);
    }

    const validators = await this.validators.of(new Set(fresh.map((c) => c.type)));
    const candidates: Candidate[] = [];
    const laterUses: Candidate[] = [];
    const keys = new Set<string>();
    for (const candidate of fresh) {
      const validate = validators.get(candidate.type);
      if (validate && !validate(inputs[candidate.index].data)) {
        const errors = dataFieldErrors(validate.errors ?? []);
        const detail = `data does not match the schema of ${candidate.type}`;
        outcomes[candidate.index] = {
          status: 'rejected',
          error: `${detail}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
          problem: { status: 422, detail, fields: errors, slug: 'validation-error' },
        };
        continue;
      }
      // A key repeated within the call is settled against whatever its first use stored.
      if (candidate.key !== null && keys.has(candidate.key)) laterUses.push(candidate);
      else {
        if (candidate.key !== null) keys.add(candidate.key);
        candidates.push(candidate);
      }
    }
    if (candidates.length === 0 && laterUses.length === 0) return { outcomes, deliveries: [] };

    const row: PublishedRow = candidates.length ? await this.insert(db, tenantId, candidates) : { eventIds: [], createdAt: null, deliveries: [] };
    const inserted = new Set(row.eventIds);
    const deliveryCounts = new Map<string, number>();
    for (const [, eventId] of row.deliveries) deliveryCounts.set(eventId, (deliveryCounts.get(eventId) ?? 0) + 1);
    const unsettled = [...laterUses];
    for (const candidate of candidates) {
      if (inserted.has(candidate.id)) {
        outcomes[candidate.index] = { status: 'published', eventId: candidate.id, createdAt: row.createdAt!, deliveryCount: deliveryCounts.get(candidate.id) ?? 0 };
      } else unsettled.push(candidate);
    }
    // Keys the statement could not claim: taken meanwhile by a concurrent publish, or used twice here.
    if (unsettled.length) {
      let taken: Map<string, Claim>;
      try {
        taken = await this.claims(db, tenantId, unsettled, CLAIMS_SQL);
      } catch (error) {
        if (inTransaction) throw error;
        // The others' events committed with the statement: only these, which wrote nothing, fail.
        for (const candidate of unsettled) outcomes[candidate.index] = error as Error;
        taken = new Map();
      }
      for (const candidate of unsettled) {
        if (outcomes[candidate.index]) continue;
        if (taken.has(candidate.key!)) this.settle(candidate, taken, outcomes);
        else {
          // Claimed a moment ago and gone now (purged by retention): in a transaction, retrying it
          // whole publishes the row afresh; on its own, this input alone fails and nothing of it was written.
          const vanished = new ClaimVanished(candidate.key!);
          if (inTransaction) throw vanished;
          outcomes[candidate.index] = vanished;
        }
      }
    }

    const byId = new Map(candidates.map((c) => [c.id, c]));
    const timestamp = row.createdAt?.toISOString() ?? '';
    const deliveries = row.deliveries.map(([deliveryId, eventId, subscriptionId]): DeliveryJobData => {
      const event = byId.get(eventId)!;
      return { deliveryId, tenantId, subscriptionId, eventId, eventType: event.type, timestamp, dataJson: event.dataJson, attemptCount: 0, cycleAttempts: 0, ...event.trace };
    });
    return { outcomes, deliveries };
  }

  /** BULK_PUBLISH_SQL. When Postgres answers with an error nothing was written; without an answer, nobody knows. */
  private async insert(db: BulkPublishSql, tenantId: string, candidates: Candidate[]): Promise<PublishedRow> {
    try {
      const { rows } = await db.query(BULK_PUBLISH_SQL, [tenantId, publishDocument(candidates), testSendTargets(candidates)]);
      return rows[0] as PublishedRow;
    } catch (error) {
      throw isPostgresAnswer(error) ? error : new CommitUnknown(error);
    }
  }

  /** Outbox: never throws; what Redis does not take now, the sweeper enqueues from Postgres later. */
  async enqueue(deliveries: DeliveryJobData[]): Promise<void> {
    for (let i = 0; i < deliveries.length; i += ENQUEUE_BATCH) {
      await this.enqueuer.enqueue(deliveries.slice(i, i + ENQUEUE_BATCH));
    }
  }

  private async claims(db: BulkPublishSql, tenantId: string, candidates: Candidate[], sql: string): Promise<Map<string, Claim>> {
    const keys = [...new Set(candidates.flatMap((c) => (c.key === null ? [] : [c.key])))];
    if (keys.length === 0) return new Map();
    const { rows } = await db.query(sql, [tenantId, keys]);
    return new Map((rows as Claim[]).map((claim) => [claim.key, claim]));
  }

  /** The same request as the claim's is a replay (nothing new); another request a conflict (409 in REST). */
  private settle(candidate: Candidate, claims: Map<string, Claim>, outcomes: (BulkPublishOutcome | Error)[]): void {
    const claim = claims.get(candidate.key!)!;
    if (claim.requestHash === candidate.hash) {
      outcomes[candidate.index] = { status: 'replayed', eventId: claim.eventId };
      return;
    }
    const problem: PublishProblem = {
      status: 409,
      detail: `Idempotency key "${candidate.key}" was already used with a different type or data`,
      fields: [{ field: 'idempotencyKey', message: 'already used with a different request' }],
      slug: 'idempotency-conflict',
    };
    outcomes[candidate.index] = { status: 'rejected', error: `idempotencyKey: "${candidate.key}" was already used with a different type or data`, problem };
  }
}

/** The JSON array BULK_PUBLISH_SQL reads, with each `data` spliced in exactly as it will be stored and signed. */
function publishDocument(candidates: Candidate[]): string {
  const rows = candidates.map(
    (c) =>
      `{"ord":${c.index},"id":"${c.id}","type":${JSON.stringify(c.type)},"data":${c.dataJson},"key":${JSON.stringify(c.key)},"hash":${JSON.stringify(c.hash)},"tp":${JSON.stringify(c.trace?.traceparent ?? null)}}`,
  );
  return `[${rows.join(',')}]`;
}

/** BULK_PUBLISH_SQL's `$3`: null, or the subscription of each test send by event id. */
function testSendTargets(candidates: Candidate[]): string | null {
  const targeted = candidates.filter((c) => c.only !== null);
  return targeted.length ? JSON.stringify(Object.fromEntries(targeted.map((c) => [c.id, c.only]))) : null;
}

/**
 * `work` under a savepoint of `tx`: if it throws, the transaction goes on as if it had not run. A
 * savepoint command that fails means the transaction cannot go on: TransactionBroken.
 */
async function inSavepoint<T>(tx: BulkPublishSql, work: () => Promise<T>): Promise<T> {
  const savepoint = (command: string) => tx.query(command).catch((error: unknown) => Promise.reject(new TransactionBroken(error)));
  await savepoint('SAVEPOINT hookline_publish');
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await savepoint('ROLLBACK TO SAVEPOINT hookline_publish; RELEASE SAVEPOINT hookline_publish');
    throw error;
  }
  await savepoint('RELEASE SAVEPOINT hookline_publish');
  return result;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
