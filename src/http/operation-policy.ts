import type { ApolloServerPlugin } from "@apollo/server";
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode, ParseOptions, ValidationRule } from "graphql";
import { GraphQLError } from "graphql";
import type { Logger } from "pino";
import type { Config } from "../config";
import { currentSqlScope } from "../db/sql-scope";
import { DATABASE_UNAVAILABLE } from "../db/unavailable";
import { createErrorFormatter } from "./format-error";
import { noSubscriptionsOverHttp } from "./http-subscriptions";
import { checkedCost, limitRules } from "./limits";
import { Metrics } from "./metrics";
import { noNulLiterals, refuseNulVariables } from "./nul-guard";

type Variables = Record<string, unknown>;

/**
 * What every GraphQL operation sent over HTTP goes through, whichever way it runs: Apollo's request
 * pipeline (through `operationPolicyPlugin`) or the fast path (http/fast-path.ts). One list of
 * checks and one way to finish an answer, so that a rule added here holds on both.
 */
export interface OperationPolicy {
  readonly schema: GraphQLSchema;
  /** Parsing: the bound on a document's size, in tokens, comes before validation. */
  readonly parseOptions: ParseOptions;
  /** Validation beyond graphql-js's own rules: limits, NUL in literals, no subscriptions over HTTP. */
  readonly validationRules: ValidationRule[];
  /**
   * Once the operation is known, before anything runs: refuses it (throws a GraphQLError carrying
   * its HTTP status) or gives its cost, which the answer reports in `extensions.cost`.
   */
  admit(document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number;
  /** The answer's `extensions.cost`. */
  costExtension(requested: number): { requested: number; limit: number };
  /** Maps every error to the model of DESIGN.md (http/format-error.ts). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /**
   * The status and headers an answer gets from its errors and its request: 503 with Retry-After
   * when the database could not be reached, the request id, the statement count when exposed.
   */
  finish(errors: readonly GraphQLFormattedError[] | undefined, head: AnswerHead): void;
  /** Counts the operation in /metrics. */
  record(operation: OperationDefinitionNode | undefined, startedAt: bigint, errors: readonly GraphQLFormattedError[] | undefined): void;
}

/** What `finish` may change of an answer. */
export interface AnswerHead {
  status?: number;
  setHeader(name: string, value: string): void;
}

export function operationPolicy(schema: GraphQLSchema, config: Config, log: Logger, metrics: Metrics): OperationPolicy {
  const limit = config.maxQueryCost;
  return {
    schema,
    parseOptions: { maxTokens: config.maxQueryTokens },
    validationRules: [noNulLiterals, noSubscriptionsOverHttp, ...limitRules(config)],
    admit(document, operation, variables) {
      refuseNulVariables(variables);
      return checkedCost(schema, document, operation, variables, limit);
    },
    costExtension: (requested) => ({ requested, limit }),
    formatError: createErrorFormatter(log),
    finish(errors, head) {
      const scope = currentSqlScope();
      if (scope) head.setHeader("x-request-id", scope.requestId);
      if (config.exposeSqlCount && scope) head.setHeader("x-sql-statements", String(scope.counter.statements));
      // A request that failed because the database could not be reached answers 503 with
      // Retry-After, wherever it failed (Apollo would answer a resolver's failure with 200).
      if (errors?.some((e) => e.extensions?.code === DATABASE_UNAVAILABLE.code)) {
        head.status = DATABASE_UNAVAILABLE.status;
        head.setHeader("retry-after", String(DATABASE_UNAVAILABLE.retryAfter));
      }
    },
    record(operation, startedAt, errors) {
      metrics.record(Metrics.operationLabel(schema, operation), Number(process.hrtime.bigint() - startedAt) / 1e9, errors);
    },
  };
}

/** The policy in Apollo's request pipeline: its checks before execution, and how answers finish. */
export function operationPolicyPlugin(policy: OperationPolicy): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const startedAt = process.hrtime.bigint();
      let requested: number | undefined;
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          try {
            requested = policy.admit(document, operation, request.variables ?? {});
          } catch (error) {
            // Over the cost limit: the answer still reports what it would have cost.
            const over = error instanceof GraphQLError ? error.extensions.requested : undefined;
            if (typeof over === "number") requested = over;
            throw error;
          }
        },
        async willSendResponse({ operation, response }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : response.body.initialResult.errors;
          if (requested !== undefined && response.body.kind === "single") {
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, cost: policy.costExtension(requested) };
          }
          const head = response.http;
          policy.finish(errors, {
            get status() {
              return head.status;
            },
            set status(value) {
              head.status = value;
            },
            setHeader: (name, value) => head.headers.set(name, value),
          });
          policy.record(operation ?? undefined, startedAt, errors);
        },
      };
    },
  };
}
