import "reflect-metadata";
import { DataSource, type DataSourceOptions } from "typeorm";
import { InstrumentedClient } from "./src/db/instrumented-client";
import { SnakeNamingStrategy } from "./src/db/snake-naming";
import { ENTITIES } from "./src/entities";
import { MIGRATIONS } from "./src/migrations";

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  /** Prepare repeated statements per connection (default true); false behind a pooler in transaction mode. */
  prepareStatements?: boolean;
  /** Only for throwaway test databases; the server always migrates. */
  synchronize?: false;
}

/** The one DataSource definition, used by the server, the tests and the TypeORM CLI. */
export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: "postgres",
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: "migrations",
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    logging: false,
    extra: {
      Client: InstrumentedClient,
      prepareStatements: settings.prepareStatements ?? true,
      // A connection lives at most half an hour: what its session holds (prepared statements and
      // their plans) is renewed, even for connections that background work never lets idle.
      maxLifetimeSeconds: 1800,
      max: settings.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      application_name: "handover",
    },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}

/** For the TypeORM CLI (`npm run migration:run`, `migration:generate`): needs DATABASE_URL. */
const cliUrl = process.env.DATABASE_URL;
export default createDataSource({ url: cliUrl ?? "postgres://localhost/handover_set_DATABASE_URL" });
