import { idFloorAt } from '@hookline/ids';
import { dayPartition, entirelyBefore, parseRangeBound, rangesOverlap, startOfDay } from './partition-ranges';

const DEC_5 = Date.UTC(2026, 11, 5);

describe('partition ranges', () => {
  it('names a day by its UTC date and bounds it by the floors of its first and the next day', () => {
    const day = dayPartition('events', 'evt', startOfDay(DEC_5 + 13 * 3_600_000));
    expect(day).toEqual({ name: 'events_p20261205', from: idFloorAt('evt', DEC_5), to: idFloorAt('evt', DEC_5 + 86_400_000) });
  });

  it('reads the bounds Postgres prints, MINVALUE and MAXVALUE included', () => {
    expect(parseRangeBound(`FOR VALUES FROM ('evt_A') TO ('evt_B')`)).toEqual({ from: 'evt_A', to: 'evt_B' });
    expect(parseRangeBound(`FOR VALUES FROM (MINVALUE) TO ('evt_B')`)).toEqual({ from: null, to: 'evt_B' });
    expect(parseRangeBound(`FOR VALUES FROM ('evt_A') TO (MAXVALUE)`)).toEqual({ from: 'evt_A', to: null });
    expect(parseRangeBound('DEFAULT')).toBeNull();
  });

  it('sees overlaps, and ranges that only touch as apart', () => {
    expect(rangesOverlap({ from: 'b', to: 'd' }, { from: 'c', to: 'e' })).toBe(true);
    expect(rangesOverlap({ from: null, to: 'd' }, { from: 'a', to: 'b' })).toBe(true);
    expect(rangesOverlap({ from: 'b', to: 'd' }, { from: 'd', to: 'e' })).toBe(false);
    expect(rangesOverlap({ from: 'd', to: null }, { from: 'a', to: 'd' })).toBe(false);
  });

  it('calls a range expired only when its upper bound is at or before the cutoff', () => {
    const day = dayPartition('deliveries', 'dlv', DEC_5);
    expect(entirelyBefore(day, DEC_5 + 86_400_000)).toBe(true);
    expect(entirelyBefore(day, DEC_5 + 86_400_000 - 1)).toBe(false);
    expect(entirelyBefore({ from: day.from, to: null }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
