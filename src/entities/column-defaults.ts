/**
 * The default of the `bigint` transaction-position columns (tickets.changed_tx, ticket_events.tx_id,
 * flow_starts.tx_id), as TypeORM sees it. The migrations set `(pg_current_xact_id()::text::bigint)`,
 * which PostgreSQL keeps as `((pg_current_xact_id())::text)::bigint`; TypeORM reads that from
 * information_schema.columns.column_default and strips every `::type` cast before comparing it with
 * the entity's default. Declaring the stripped text keeps `migration:generate` from resetting the
 * default. It is not the SQL to use: the migrations are the source of truth for the real default.
 */
export const TX_POSITION_DEFAULT = (): string => "((pg_current_xact_id()))";
