-- Head office on Citus: run by `hall-hq migrate --citus` after the numbered migrations, on the
-- coordinator of a cluster whose workers are added (citus_add_node). Idempotent: a table already
-- distributed is left alone, so it runs again after every later migration.
--
-- Partitioning (see ARCHITECTURE.md): everything that grows with traffic is hash-distributed on
-- `outlet_code` and co-located with `workstations`, so all of one outlet's rows (its events,
-- ledger, series, customers, bills, users, change log and head) sit in the same shard group on
-- one worker. A push, a pull and a snapshot page each name one outlet and touch that shard group
-- only; a transaction across those tables is a single-node transaction. Small data every outlet
-- reads (outlets, tariffs, calendars, the global change scope) are reference tables: a copy on
-- every node, so joining them to an outlet's rows stays on that node too.

-- Creating several distributed tables in one transaction needs one connection per node.
SET citus.multi_shard_modify_mode TO 'sequential';

DO $citus$
DECLARE
    t text;
    -- Reference tables: small, read by every outlet, written by head-office operators.
    reference text[] := ARRAY[
        'outlets', 'tariffs', 'calendars', 'global_head', 'global_changes',
        -- the console's operators and their sessions (head-office staff, not per outlet)
        'console_operator', 'console_session'
    ];
    -- Distributed by outlet_code; the first one anchors the co-location group.
    distributed text[] := ARRAY[
        'workstations', 'enrol_codes', 'events', 'series', 'quarantine', 'ledger',
        'closed_days', 'late_money', 'outlet_heads', 'outlet_changes', 'users',
        'customers', 'bills', 'customer_overwrites', 'customer_clamps',
        -- the console's decisions on an outlet's put-aside rows follow that outlet
        'console_quarantine_resolution', 'console_late_money_review', 'console_conflict_review',
        'fork_resolution',
        -- 95598 work orders dispatched to an outlet and projected from its pushes
        'service_tickets'
    ];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'migrate --citus: this database has no Citus extension (CREATE EXTENSION citus on every node, then citus_add_node each worker) / 数据库未安装 Citus 扩展';
    END IF;
    IF (SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0) = 0 THEN
        RAISE EXCEPTION 'migrate --citus: the coordinator has no workers (SELECT citus_add_node(host, port) for each) / 协调节点尚无工作节点';
    END IF;

    -- A table not (yet) made by the migrations is skipped here; 900_check.sql catches the reverse.
    FOREACH t IN ARRAY reference LOOP
        IF to_regclass(t) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t::regclass) THEN
            PERFORM create_reference_table(t::regclass);
            -- The rows were copied to the nodes; drop the coordinator's now-hidden local copy.
            PERFORM truncate_local_data_after_distributing_table(t::regclass);
        END IF;
    END LOOP;

    FOREACH t IN ARRAY distributed LOOP
        IF to_regclass(t) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t::regclass) THEN
            PERFORM create_distributed_table(
                t::regclass, 'outlet_code',
                colocate_with => CASE WHEN t = distributed[1] THEN 'none' ELSE distributed[1] END);
            PERFORM truncate_local_data_after_distributing_table(t::regclass);
        END IF;
    END LOOP;
END
$citus$;

RESET citus.multi_shard_modify_mode;
