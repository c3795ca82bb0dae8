import { randomFillSync } from 'node:crypto';
import { decodeTime, encodeTime, monotonicFactory } from 'ulid';

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

/** `evt_01J…`: the documented prefix and a ULID, so ids sort by creation time. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid()}`;
}

const ID_SHAPE = /^([a-z]+)_[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether `text` has the shape of an id newId made (with `prefix`, when given). */
export function isId(text: string, prefix?: IdPrefix): boolean {
  const match = ID_SHAPE.exec(text);
  return match !== null && (prefix === undefined || match[1] === prefix);
}

/**
 * The lowest id of this kind made at `ms` (ms since epoch): every id made at or after that time
 * sorts at or above it, every id made before sorts below. Turns a time window into an id range.
 */
export function idFloorAt(prefix: IdPrefix, ms: number): string {
  return `${prefix}_${encodeTime(Math.max(0, Math.floor(ms)), 10)}${'0'.repeat(16)}`;
}

/** When an id of newId's shape (or a bound idFloorAt made) was made, in ms since epoch. */
export function idTime(id: string): number {
  return decodeTime(id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11).padEnd(26, '0'));
}
