import type { EndpointSlot } from './endpoint-slots';
import { EndpointSlots } from './endpoint-slots';

const TIMEOUT_MS = 15_000;

/** A slot taken at once (the cap is not reached). */
async function take(slots: EndpointSlots, id = 'sub_a'): Promise<EndpointSlot> {
  const slot = await slots.acquire(id, 0);
  if (!slot) throw new Error(`no slot for ${id}`);
  return slot;
}

/**
 * Time is an input of EndpointSlots (how long since an endpoint freed a slot, how old its oldest
 * attempt is): the tests move a fake clock instead of sleeping, so every step is exact.
 */
describe('EndpointSlots', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('lets up to the cap through per subscription, each subscription apart', async () => {
    const slots = new EndpointSlots(2, TIMEOUT_MS);
    const first = await take(slots);
    await take(slots);
    expect(await slots.acquire('sub_a', 0)).toBeNull();
    await take(slots, 'sub_b');
    expect(slots.used('sub_a')).toBe(2);
    slots.release(first);
    expect(slots.used('sub_a')).toBe(1);
    await take(slots);
  });

  it('does not wait for an endpoint that has freed nothing lately (a hanging one)', async () => {
    const slots = new EndpointSlots(1, TIMEOUT_MS);
    await take(slots);
    jest.advanceTimersByTime(120);
    // Answered without any timer firing: it did not wait.
    expect(await slots.acquire('sub_a', 250)).toBeNull();
  });

  it('expects a slot now, unless the endpoint is stuck: then when its oldest attempt times out', async () => {
    const slots = new EndpointSlots(2, TIMEOUT_MS);
    const before = Date.now();
    expect(slots.slotExpectedAt('sub_a')).toBeGreaterThanOrEqual(before);
    const oldest = await take(slots);
    const newer = await take(slots);
    jest.advanceTimersByTime(150);
    // Freed nothing for 150 ms, but its attempts are young: a cold start, not a hanging endpoint.
    expect(slots.slotExpectedAt('sub_a')).toBeLessThan(Date.now() + 100);
    jest.advanceTimersByTime(900);
    expect(slots.slotExpectedAt('sub_a')).toBe(oldest.since + TIMEOUT_MS);
    slots.release(oldest);
    // It just freed one: moving again.
    expect(slots.slotExpectedAt('sub_a')).toBeLessThan(Date.now() + 100);
    jest.advanceTimersByTime(120);
    expect(slots.slotExpectedAt('sub_a')).toBe(newer.since + TIMEOUT_MS);
  });

  it('lets a burst to an idle endpoint wait for its first answers', async () => {
    const slots = new EndpointSlots(1, TIMEOUT_MS);
    const first = await take(slots);
    const waiting = slots.acquire('sub_a', 1_000);
    expect(waiting).toBeInstanceOf(Promise);
    slots.release(first);
    expect(await waiting).toMatchObject({ subscriptionId: 'sub_a' });
  });

  it('hands a freed slot to the first waiter while the endpoint is moving, without going over the cap', async () => {
    const slots = new EndpointSlots(1, TIMEOUT_MS);
    slots.release(await take(slots));
    const held = await take(slots);
    const first = slots.acquire('sub_a', 1_000);
    const second = slots.acquire('sub_a', 1_000);
    slots.release(held);
    const handed = await first;
    expect(handed).not.toBeNull();
    expect(slots.used('sub_a')).toBe(1);
    slots.release(handed!);
    const last = await second;
    expect(last).not.toBeNull();
    slots.release(last!);
    expect(slots.used('sub_a')).toBe(0);
  });

  it('gives up waiting after the time given, and a later release is not handed to it', async () => {
    const slots = new EndpointSlots(1, TIMEOUT_MS);
    slots.release(await take(slots));
    const held = await take(slots);
    const waiting = slots.acquire('sub_a', 30);
    jest.advanceTimersByTime(30);
    expect(await waiting).toBeNull();
    jest.advanceTimersByTime(5);
    slots.release(held);
    expect(slots.used('sub_a')).toBe(0);
  });

  /** Two attempts in flight to sub_a, the first of which timed out and gave its slot back. */
  async function hangingWithTwoInFlight(slots: EndpointSlots): Promise<{ second: EndpointSlot; third: EndpointSlot }> {
    const first = await take(slots);
    jest.advanceTimersByTime(500);
    const second = await take(slots);
    // No turns before the endpoint is known to time out: a slow start is not a hanging endpoint.
    jest.advanceTimersByTime(1_100);
    expect(slots.nextTurn('sub_a')).toBeNull();
    jest.advanceTimersByTime(TIMEOUT_MS - 1_600);
    slots.release(first);
    return { second, third: await take(slots) };
  }

  it('gives each delivery deferred from an endpoint known to hang its own turn, paced as it frees slots', async () => {
    const slots = new EndpointSlots(2, TIMEOUT_MS);
    const { second } = await hangingWithTwoInFlight(slots);
    const turns = [slots.nextTurn('sub_a')!, slots.nextTurn('sub_a')!, slots.nextTurn('sub_a')!];
    // The first when the oldest attempt in flight times out (and is recorded); then one per TIMEOUT_MS / cap.
    expect(turns[0]).toBeGreaterThanOrEqual(second.since + TIMEOUT_MS);
    expect(turns[0]).toBeLessThan(second.since + TIMEOUT_MS + 1_000);
    expect(turns[1] - turns[0]).toBe(TIMEOUT_MS / 2);
    expect(turns[2] - turns[1]).toBe(TIMEOUT_MS / 2);
    expect(slots.nextTurn('sub_b')).toBeNull();
  });

  it('gives no turn further than a minute ahead: those come back within the minute after', async () => {
    const slots = new EndpointSlots(2, TIMEOUT_MS);
    await hangingWithTwoInFlight(slots);
    const turns = Array.from({ length: 12 }, () => slots.nextTurn('sub_a')! - Date.now());
    expect(Math.max(...turns.slice(0, 8))).toBeLessThanOrEqual(60_000);
    for (const turn of turns.slice(9)) {
      expect(turn).toBeGreaterThanOrEqual(60_000);
      expect(turn).toBeLessThanOrEqual(120_000);
    }
  });

  it('gives no more turns once the endpoint answers', async () => {
    const slots = new EndpointSlots(2, TIMEOUT_MS);
    const { third } = await hangingWithTwoInFlight(slots);
    expect(slots.nextTurn('sub_a')).not.toBeNull();
    jest.advanceTimersByTime(20);
    slots.release(third);
    expect(slots.nextTurn('sub_a')).toBeNull();
    expect(slots.slotExpectedAt('sub_a')).toBe(Date.now());
  });

  it('does not take a slot freed by a timed-out attempt for the endpoint answering', async () => {
    const slots = new EndpointSlots(2, TIMEOUT_MS);
    const first = await take(slots);
    jest.advanceTimersByTime(500);
    await take(slots);
    jest.advanceTimersByTime(TIMEOUT_MS - 500);
    slots.release(first);
    await take(slots);
    // Over the cap, its next slot 500 ms away: deferred at once, not waiting in the worker.
    expect(slots.acquire('sub_a', 250)).toBeNull();
    expect(slots.slotExpectedAt('sub_a')).toBeGreaterThan(Date.now());
  });

  it('waits in the worker for a slot whose attempt times out within the wait', async () => {
    const slots = new EndpointSlots(1, TIMEOUT_MS);
    const hanging = await take(slots);
    jest.advanceTimersByTime(TIMEOUT_MS - 100);
    const waiting = slots.acquire('sub_a', 250);
    expect(waiting).toBeInstanceOf(Promise);
    jest.advanceTimersByTime(120);
    slots.release(hanging);
    expect(await waiting).toMatchObject({ subscriptionId: 'sub_a' });
    expect(slots.used('sub_a')).toBe(1);
  });
});
