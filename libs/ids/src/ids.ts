import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export type IdPrefix = 'ten' | 'key' | 'sub' | 'sec' | 'evt' | 'dlv' | 'att' | 'job' | 'rpl';

/** `evt_01J…`: the SPEC prefix and a ULID, so ids sort by creation time. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid()}`;
}
