import { idFloorAt } from '@hookline/ids';
import { dayPartition, entirelyBefore, lookAheadMs, parseRangeBound, partitionName, rangesOverlap, spanPartition, startOfDay, uncoveredParts } from './partition-ranges';

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

describe('partition spans', () => {
  const HOUR = 3_600_000;

  it('names a finer span, or any range that is not a whole UTC day, by its start to the minute', () => {
    expect(spanPartition('events', 'evt', DEC_5 + 14 * HOUR + 30 * 60_000, 60_000).name).toBe('events_p202612051430');
    expect(spanPartition('events', 'evt', DEC_5, HOUR).name).toBe('events_p202612050000');
    expect(spanPartition('events', 'evt', DEC_5, 86_400_000).name).toBe('events_p20261205');
    expect(partitionName('events', DEC_5 + 3 * HOUR, DEC_5 + 86_400_000)).toBe('events_p202612050300');
  });

  it('looks a week ahead, or 48 spans if that is shorter', () => {
    expect(lookAheadMs(86_400_000)).toBe(7 * 86_400_000);
    expect(lookAheadMs(6 * HOUR)).toBe(7 * 86_400_000);
    expect(lookAheadMs(HOUR)).toBe(48 * HOUR);
    expect(lookAheadMs(60_000)).toBe(48 * 60_000);
  });

  it('finds the parts of a span that existing partitions leave uncovered', () => {
    const day = dayPartition('events', 'evt', DEC_5);
    const at = (ms: number) => idFloorAt('evt', ms);
    expect(uncoveredParts(day, [])).toEqual([{ from: day.from, to: day.to }]);
    expect(uncoveredParts(day, [{ from: null, to: day.to }])).toEqual([]);
    expect(uncoveredParts(day, [{ from: day.from, to: at(DEC_5 + 3 * HOUR) }])).toEqual([{ from: at(DEC_5 + 3 * HOUR), to: day.to }]);
    expect(
      uncoveredParts(day, [
        { from: at(DEC_5 + 5 * HOUR), to: at(DEC_5 + 6 * HOUR) },
        { from: at(DEC_5 + HOUR), to: at(DEC_5 + 2 * HOUR) },
      ]),
    ).toEqual([
      { from: day.from, to: at(DEC_5 + HOUR) },
      { from: at(DEC_5 + 2 * HOUR), to: at(DEC_5 + 5 * HOUR) },
      { from: at(DEC_5 + 6 * HOUR), to: day.to },
    ]);
    const hour = spanPartition('events', 'evt', DEC_5 + HOUR, HOUR);
    expect(uncoveredParts(hour, [day])).toEqual([]);
  });
});
