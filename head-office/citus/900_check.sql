-- Runs last: every table of the head-office schema must be distributed or a reference table on
-- Citus. A table a later migration adds and 001_distribute.sql does not name would otherwise stay
-- a plain table on the coordinator, silently outside the cluster; this names it instead.
DO $check$
DECLARE
    -- Deliberately local: the migration runner's own bookkeeping, read only by `migrate`.
    local_tables text[] := ARRAY['schema_migrations'];
    missing text;
BEGIN
    SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO missing
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema()
      AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition
      AND c.relname <> ALL (local_tables)
      AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'migrate --citus: tables neither distributed nor reference: % (name them in head-office/citus/001_distribute.sql) / 以下表未在 Citus 上分布: %', missing, missing;
    END IF;
END
$check$;
