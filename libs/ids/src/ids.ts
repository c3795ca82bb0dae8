import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Random bytes drawn 4 KiB at a time: ulid's own source makes one crypto call per character. */
const randomBytes = Buffer.alloc(4096);
let nextByte = randomBytes.length;
function pooledRandom(): number {
  if (nextByte === randomBytes.length) {
    randomFillSync(randomBytes);
    nextByte = 0;
  }
  return randomBytes[nextByte++] / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

export type IdPrefix = 'ten' | 'key' | 'sub' | 'sec' | 'evt' | 'dlv' | 'att' | 'job' | 'rpl' | 'pts';

/** `evt_01J…`: the SPEC prefix and a ULID, so ids sort by creation time. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid()}`;
}
