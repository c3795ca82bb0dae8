import { lanePriority, MAX_LANE_PRIORITY } from './tenant-lanes';

describe('lanePriority', () => {
  it('gives no priority within the fair share, so the job joins the first-come, first-served list', () => {
    expect(lanePriority(1, 100)).toBe(0);
    expect(lanePriority(100, 100)).toBe(0);
  });

  it('grows by one each time the volume doubles past the fair share', () => {
    expect(lanePriority(101, 100)).toBe(1);
    expect(lanePriority(199, 100)).toBe(1);
    expect(lanePriority(200, 100)).toBe(2);
    expect(lanePriority(400, 100)).toBe(3);
    expect(lanePriority(200_000, 2_000)).toBe(7);
  });

  it('is capped, and off when the fair share is 0', () => {
    expect(lanePriority(Number.MAX_SAFE_INTEGER, 1)).toBe(MAX_LANE_PRIORITY);
    expect(lanePriority(1_000_000, 0)).toBe(0);
  });
});
