-- Publishing fans an event out to its deliveries in one statement, so delivery ids are made in SQL:
-- a ULID (48-bit millisecond time + 80 random bits, Crockford base32), like the ids made in Node.
CREATE FUNCTION "hookline_ulid"() RETURNS text LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
DECLARE
  alphabet CONSTANT text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
  result text := '';
BEGIN
  FOR i IN REVERSE 9..0 LOOP
    result := result || substr(alphabet, ((ms >> (5 * i)) & 31)::int + 1, 1);
  END LOOP;
  FOR i IN 1..16 LOOP
    result := result || substr(alphabet, floor(random() * 32)::int + 1, 1);
  END LOOP;
  RETURN result;
END
$$;

-- A subscription's eventTypes filter: empty or NULL means every type; `*` every type; `invoice.*`
-- every type under `invoice.`; anything else an exact name. Mirrors matchesEventType() in Node.
CREATE FUNCTION "hookline_type_matches"(filters text[], event_type text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE(cardinality(filters), 0) = 0
      OR event_type = ANY (filters)
      OR EXISTS (
           SELECT 1 FROM unnest(filters) AS f
           WHERE f = '*' OR (right(f, 2) = '.*' AND starts_with(event_type, left(f, -1)))
         )
$$;
