import { QUIET_TENANT_MEMORY_MS, WorkingSlots } from './working-slots';

/** Resolves after the microtasks queued so far (grants are promise resolutions). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

const quiet = (tenantId = 'ten_quiet') => ({ lane: 0, tenantId });
const backlog = (lane = 5, tenantId = 'ten_bulk') => ({ lane, tenantId });

describe('WorkingSlots', () => {
  it('grants free slots at once and queues the rest', async () => {
    const slots = new WorkingSlots(2);
    expect(slots.acquire(quiet())).toBeUndefined();
    expect(slots.acquire(quiet())).toBeUndefined();
    let third = false;
    void Promise.resolve(slots.acquire(quiet())).then(() => (third = true));
    await settled();
    expect(third).toBe(false);
    expect(slots.queued).toBe(1);

    slots.release();
    await settled();
    expect(third).toBe(true);
    expect(slots.queued).toBe(0);
  });

  it('hands a freed slot to the lowest lane first, then to whoever asked first within a lane', async () => {
    const slots = new WorkingSlots(1);
    expect(slots.acquire(quiet())).toBeUndefined();
    const granted: string[] = [];
    const ask = (name: string, holder: { lane: number; tenantId: string }) => void Promise.resolve(slots.acquire(holder)).then(() => granted.push(name));
    ask('backlog-1', backlog(5));
    ask('backlog-2', backlog(5));
    ask('heavier', backlog(9, 'ten_heavier'));
    ask('quiet-1', quiet());
    ask('quiet-2', quiet());
    await settled();

    for (let i = 0; i < 5; i++) {
      slots.release();
      await settled();
    }
    expect(granted).toEqual(['quiet-1', 'quiet-2', 'backlog-1', 'backlog-2', 'heavier']);
  });

  it('gives the slot back while a job waits outside, and resumes it ahead of its lane', async () => {
    const slots = new WorkingSlots(1);
    expect(slots.acquire(backlog(3))).toBeUndefined();
    let answer!: (value: string) => void;
    const outside = new Promise<string>((resolve) => (answer = resolve));
    const resumed = slots.aside(backlog(3), outside);

    // The slot is free while the answer is awaited: another job takes it.
    expect(slots.acquire(backlog(3))).toBeUndefined();
    const granted: string[] = [];
    void Promise.resolve(slots.acquire(backlog(3))).then(() => granted.push('not started'));
    void resumed.then((value) => granted.push(`resumed with ${value}`));
    answer('200');
    await settled();
    expect(granted).toEqual([]);

    slots.release();
    await settled();
    expect(granted).toEqual(['resumed with 200']);
    slots.release();
    await settled();
    expect(granted).toEqual(['resumed with 200', 'not started']);
  });

  it('does not let a newcomer overtake jobs already waiting', async () => {
    const slots = new WorkingSlots(1);
    expect(slots.acquire(quiet())).toBeUndefined();
    const waiting = Promise.resolve(slots.acquire(quiet()));
    slots.release();
    // The slot went to the waiter: a newcomer waits even though no slot was counted free in between.
    const newcomer = slots.acquire(quiet());
    expect(newcomer).toBeInstanceOf(Promise);
    await waiting;
    slots.release();
    await newcomer;
    expect(slots.queued).toBe(0);
  });

  it('holds backlog lanes to their share while another tenant is in the fast lane, and lets them fill every slot once it is gone', async () => {
    let now = 0;
    const slots = new WorkingSlots(4, 2, () => now);
    // No quiet tenant seen: a backlog takes every slot.
    for (let i = 0; i < 4; i++) expect(slots.acquire(backlog())).toBeUndefined();
    const granted: string[] = [];
    const ask = (name: string, holder: { lane: number; tenantId: string }) => void Promise.resolve(slots.acquire(holder)).then(() => granted.push(name));

    // A quiet tenant's job waits only for a free slot, never for the backlog to shrink.
    ask('quiet', quiet());
    ask('backlog-1', backlog());
    ask('backlog-2', backlog());
    slots.release();
    await settled();
    expect(granted).toEqual(['quiet']);
    // 4 in use; the backlog gets a slot again only below 2 in use while the quiet tenant is recent.
    slots.release();
    slots.release();
    await settled();
    expect(granted).toEqual(['quiet']);
    slots.release();
    await settled();
    expect(granted).toEqual(['quiet', 'backlog-1']);

    // A second later with no fast-lane job, the backlog may fill every slot again.
    now += QUIET_TENANT_MEMORY_MS;
    ask('backlog-3', backlog());
    await settled();
    expect(granted).toEqual(['quiet', 'backlog-1', 'backlog-2', 'backlog-3']);
    expect(slots.queued).toBe(0);
  });

  it("never holds a tenant's backlog back for the same tenant's own fast-lane jobs", async () => {
    const slots = new WorkingSlots(4, 1, () => 0);
    // The bulk tenant's first deliveries went in the fast lane, the rest in a slower one.
    expect(slots.acquire(quiet('ten_bulk'))).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(slots.acquire(backlog(5, 'ten_bulk'))).toBeUndefined();
    // Another backlog tenant is held to the share: the bulk tenant's fast lane is someone else to it.
    const other = slots.acquire(backlog(5, 'ten_other'));
    expect(other).toBeInstanceOf(Promise);
    for (let i = 0; i < 3; i++) slots.release();
    await settled();
    expect(slots.queued).toBe(1);
    slots.release();
    await other;
    expect(slots.queued).toBe(0);
  });
});
