import { idFloorAt, idTime, isId, newId } from './ids';

describe('newId', () => {
  it('is the prefix and a ULID, unique and in creation order even within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('evt'));
    for (const id of ids) expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws fresh randomness each millisecond (not a constant suffix)', async () => {
    const randomParts = new Set<string>();
    for (let i = 0; i < 5; i++) {
      randomParts.add(newId('att').slice(4 + 10, 4 + 20));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(randomParts.size).toBe(5);
  });
});

describe('isId', () => {
  it('knows an id newId made, and its kind', () => {
    const id = newId('evt');
    expect(isId(id)).toBe(true);
    expect(isId(id, 'evt')).toBe(true);
    expect(isId(id, 'ten')).toBe(false);
    for (const text of ['garbage', `${id}x`, id.toLowerCase(), 'evt_', `evt_${'I'.repeat(26)}`, '']) expect(isId(text)).toBe(false);
  });
});

describe('idFloorAt', () => {
  it('sorts below every id made from that millisecond on and above every id made before', async () => {
    const before = newId('dlv');
    await new Promise((resolve) => setTimeout(resolve, 3));
    const at = Date.now();
    const floor = idFloorAt('dlv', at);
    const after = newId('dlv');
    expect(floor).toMatch(/^dlv_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(before < floor).toBe(true);
    expect(floor <= after).toBe(true);
    expect(idFloorAt('dlv', at + 1) > floor).toBe(true);
  });
});

describe('idTime', () => {
  it('reads back the millisecond an id or an id floor was made at', () => {
    const at = Date.UTC(2026, 11, 4, 9, 30, 12, 345);
    expect(idTime(idFloorAt('evt', at))).toBe(at);
    const before = Date.now();
    const made = idTime(newId('dlv'));
    expect(made).toBeGreaterThanOrEqual(before);
    expect(made).toBeLessThanOrEqual(Date.now());
  });
});
