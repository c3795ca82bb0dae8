import { Inject, Injectable } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { AnnouncedCache, eventTypeChangesChannel } from '@hookline/queue';

/** The backstop: an entry is read again after this long even if no announcement came. */
export const EVENT_TYPE_SCHEMA_CACHE_TTL_MS = 60_000;
/** Beyond this many event types, the least recently used is dropped. */
export const EVENT_TYPE_SCHEMA_CACHE_MAX_ENTRIES = 10_000;

/**
 * The compiled schema of each event type a publish used, by name, so a publish batch reads
 * `event_types` only for the names it lacks. null says "no schema, or no such type": it is cached
 * too, so creating a type with a schema must be announced as much as changing one. Whoever
 * creates, updates or deletes a type announces its name (ChangeAnnouncer) and every process drops
 * it; while this process is not subscribed, the cache is bypassed (AnnouncedCache).
 *
 * Here rather than beside the publish that reads it: EventTypesService drops a name from it before
 * it answers, and @hookline/events already depends on this library.
 */
@Injectable()
export class EventTypeSchemaCache extends AnnouncedCache<ValidateFunction | null> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, {
      channel: eventTypeChangesChannel(config.QUEUE_PREFIX),
      failOpenPath: 'event_type_cache_invalidation',
      ttlMs: EVENT_TYPE_SCHEMA_CACHE_TTL_MS,
      maxEntries: EVENT_TYPE_SCHEMA_CACHE_MAX_ENTRIES,
      name: 'Event type schema cache',
      announcements: 'event type changes',
      whileOff: 'every publish reads its event types from Postgres',
    });
  }

  /** An announcement names an event type that was created, changed or deleted. */
  dropAnnounced(name: string): void {
    this.forget(name);
  }
}
