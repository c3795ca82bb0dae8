import { EndpointSlots } from './endpoint-slots';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EndpointSlots', () => {
  it('lets up to the cap through per subscription, each subscription apart', async () => {
    const slots = new EndpointSlots(2);
    expect(await slots.acquire('sub_a', 0)).toBe(true);
    expect(await slots.acquire('sub_a', 0)).toBe(true);
    expect(await slots.acquire('sub_a', 0)).toBe(false);
    expect(await slots.acquire('sub_b', 0)).toBe(true);
    expect(slots.used('sub_a')).toBe(2);
    slots.release('sub_a');
    expect(slots.used('sub_a')).toBe(1);
    expect(await slots.acquire('sub_a', 0)).toBe(true);
  });

  it('does not wait for an endpoint that has freed nothing lately (a hanging one)', async () => {
    const slots = new EndpointSlots(1);
    await slots.acquire('sub_a', 0);
    await sleep(120);
    const startedAt = Date.now();
    expect(await slots.acquire('sub_a', 250)).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(50);
  });

  it('lets a burst to an idle endpoint wait for its first answers', async () => {
    const slots = new EndpointSlots(1);
    await slots.acquire('sub_a', 0);
    const waiting = slots.acquire('sub_a', 1_000);
    expect(waiting).toBeInstanceOf(Promise);
    slots.release('sub_a');
    expect(await waiting).toBe(true);
  });

  it('hands a freed slot to the first waiter while the endpoint is moving, without going over the cap', async () => {
    const slots = new EndpointSlots(1);
    await slots.acquire('sub_a', 0);
    slots.release('sub_a');
    await slots.acquire('sub_a', 0);
    const first = slots.acquire('sub_a', 1_000);
    const second = slots.acquire('sub_a', 1_000);
    expect(first).toBeInstanceOf(Promise);
    slots.release('sub_a');
    expect(await first).toBe(true);
    expect(slots.used('sub_a')).toBe(1);
    slots.release('sub_a');
    expect(await second).toBe(true);
    slots.release('sub_a');
    expect(slots.used('sub_a')).toBe(0);
  });

  it('gives up waiting after the time given, and a later release is not handed to it', async () => {
    const slots = new EndpointSlots(1);
    await slots.acquire('sub_a', 0);
    slots.release('sub_a');
    await slots.acquire('sub_a', 0);
    expect(await slots.acquire('sub_a', 30)).toBe(false);
    await sleep(5);
    slots.release('sub_a');
    expect(slots.used('sub_a')).toBe(0);
  });
});
