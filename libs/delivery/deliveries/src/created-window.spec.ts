import { idFloorAt } from '@hookline/ids';
import { deliveryIdRange } from './created-window';

const HOUR = 3_600_000;
const since = new Date('2026-11-01T00:00:00Z');
const until = new Date('2026-11-02T00:00:00Z');

describe('deliveryIdRange', () => {
  it('is nothing without a window or a cursor', () => {
    expect(deliveryIdRange()).toBeUndefined();
  });

  it('bounds the ids by the window, widened by an hour each side', () => {
    expect(deliveryIdRange(since, until)).toEqual({ gte: idFloorAt('dlv', since.getTime() - HOUR), lt: idFloorAt('dlv', until.getTime() + HOUR) });
    expect(deliveryIdRange(since)).toEqual({ gte: idFloorAt('dlv', since.getTime() - HOUR), lt: undefined });
  });

  it('keeps the lower of the cursor and the window’s end', () => {
    const inside = idFloorAt('dlv', since.getTime() + HOUR);
    const after = idFloorAt('dlv', until.getTime() + 2 * HOUR);
    expect(deliveryIdRange(since, until, inside)?.lt).toBe(inside);
    expect(deliveryIdRange(since, until, after)?.lt).toBe(idFloorAt('dlv', until.getTime() + HOUR));
    expect(deliveryIdRange(undefined, undefined, inside)).toEqual({ gte: undefined, lt: inside });
  });
});
