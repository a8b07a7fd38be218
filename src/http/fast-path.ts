import type { NextFunction, Request, RequestHandler, Response } from "express";
import {
  type DocumentNode,
  execute,
  type ExecutionResult,
  getOperationAST,
  GraphQLError,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  type Token,
  validate,
} from "graphql";
import type { RequestContext } from "../context";
import type { AnswerHead, OperationPolicy } from "./operation-policy";

/** The media types an answer may have, in Apollo's order of preference for an Accept that allows several. */
const ANSWER_TYPES = [
  "application/json; charset=utf-8",
  "application/graphql-response+json; charset=utf-8",
  "application/json; callbackSpec=1.0; charset=utf-8",
];

/** The parts of a GraphQL POST body the fast path runs; anything else goes to Apollo. */
interface PlainBody {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A single operation by its text; not a batch, not a persisted query's hash (Apollo keeps those). */
function plainBody(body: unknown): body is PlainBody {
  if (!isObject(body) || typeof body.query !== "string") return false;
  const { operationName, variables, extensions } = body;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return false;
  if (variables !== undefined && variables !== null && !isObject(variables)) return false;
  if (extensions !== undefined && extensions !== null && (!isObject(extensions) || "persistedQuery" in extensions)) return false;
  return true;
}

/** What a document's syntax tree costs: its tokens (comments included), each one node or more. */
function tokensOf(document: DocumentNode): number {
  let count = 0;
  for (let token: Token | null | undefined = document.loc?.startToken; token; token = token.next) count++;
  return count;
}

/**
 * Valid documents by their text, parsed and validated with graphql-js's rules and the policy's.
 * A text is parsed here only the second time it comes: the first time Apollo's path answers, so
 * that a stream of distinct documents (an attacker's, or a client that writes values into its
 * queries) is parsed and validated once, as without the fast path. A text that fails is
 * remembered as such, and never parsed here again. A text longer than `chars` never takes the
 * fast path (Apollo keeps it in its own store): a long comment costs nothing in tokens.
 * Bounded by count, by text and by tokens (a syntax tree takes some 300 bytes a token), least
 * recently used first out; the texts met once have a bound of their own.
 */
export class DocumentCache {
  private readonly documents = new Map<string, { document: DocumentNode | null; tokens: number }>();
  private readonly seenOnce = new Set<string>();
  private seenChars = 0;
  private chars = 0;
  private tokens = 0;

  constructor(
    private readonly policy: Pick<OperationPolicy, "schema" | "parseOptions" | "validationRules">,
    private readonly limits = { documents: 1000, chars: 4 * 1024 * 1024, tokens: 200_000, textChars: 64 * 1024 },
  ) {}

  /** The valid document of `text`; undefined when it is new, too long, or does not parse or validate (Apollo then answers). */
  valid(text: string): DocumentNode | undefined {
    if (text.length > this.limits.textChars) return undefined;
    const known = this.documents.get(text);
    if (known) {
      this.documents.delete(text);
      this.documents.set(text, known);
      return known.document ?? undefined;
    }
    if (!this.seenOnce.has(text)) {
      this.remember(text);
      return undefined;
    }
    this.seenOnce.delete(text);
    this.seenChars -= text.length;
    const document = this.check(text);
    const tokens = document ? tokensOf(document) : 0;
    this.documents.set(text, { document, tokens });
    this.chars += text.length;
    this.tokens += tokens;
    for (const [oldest, entry] of this.documents) {
      if (this.documents.size <= this.limits.documents && this.chars <= this.limits.chars && this.tokens <= this.limits.tokens) break;
      this.documents.delete(oldest);
      this.chars -= oldest.length;
      this.tokens -= entry.tokens;
    }
    return document ?? undefined;
  }

  /** Notes a text met once (the text only, no tree). */
  private remember(text: string): void {
    this.seenOnce.add(text);
    this.seenChars += text.length;
    for (const oldest of this.seenOnce) {
      if (this.seenOnce.size <= this.limits.documents && this.seenChars <= this.limits.chars) break;
      this.seenOnce.delete(oldest);
      this.seenChars -= oldest.length;
    }
  }

  private check(text: string): DocumentNode | null {
    let document: DocumentNode;
    try {
      document = parse(text, this.policy.parseOptions);
    } catch {
      return null;
    }
    const errors = validate(this.policy.schema, document, [...specifiedRules, ...this.policy.validationRules]);
    return errors.length === 0 ? document : null;
  }
}

/**
 * The fast path for GraphQL over HTTP: a POSTed query or mutation whose document is valid runs
 * straight through graphql-js, below Apollo's request pipeline, which cost about a tenth of an
 * inbox page's server CPU. It keeps every check: it sits at the end of the same Express chain
 * (CORS, readiness, request id, CSRF, token and rate limit, body limit), runs the same operation
 * policy (validation rules, NUL, cost) and finishes answers the same way (the error model, 503,
 * headers, metrics).
 *
 * Whatever it does not run as is, it hands to Apollo untouched (`next()`): a GET, a batch, a
 * persisted query's hash, a document met for the first time or that fails to parse or validate,
 * an operation the policy refuses, variables that do not coerce, an Accept it cannot answer or
 * that prefers the callback form. Every refusal is thus written by Apollo's path alone; `next()`
 * is never called once a resolver has run.
 */
export function fastPath(
  policy: OperationPolicy,
  contextOf: (req: Request, res: Response) => Promise<RequestContext>,
  served: () => void,
): RequestHandler {
  const documents = new DocumentCache(policy);
  return async (req: Request, res: Response, next: NextFunction) => {
    const startedAt = process.hrtime.bigint();
    const body: unknown = req.body;
    if (req.method !== "POST" || !plainBody(body)) return next();
    const answerType = req.accepts(ANSWER_TYPES);
    if (answerType !== ANSWER_TYPES[0] && answerType !== ANSWER_TYPES[1]) return next();
    const document = documents.valid(body.query);
    if (!document) return next();
    const operation = getOperationAST(document, body.operationName);
    if (!operation || operation.operation === "subscription") return next();
    const variables = body.variables ?? {};
    let requested: number;
    let contextValue: RequestContext;
    try {
      requested = policy.admit(document, operation, variables);
      contextValue = await contextOf(req, res);
    } catch {
      return next();
    }
    const result: ExecutionResult = await execute({
      schema: policy.schema,
      document,
      operationName: body.operationName,
      variableValues: variables,
      contextValue,
    });
    // No data: nothing ran (the variables did not coerce); Apollo answers that.
    if (!("data" in result)) return next();
    served();
    answer(res, policy, operation, startedAt, answerType, result, requested);
  };
}

function answer(
  res: Response,
  policy: OperationPolicy,
  operation: OperationDefinitionNode,
  startedAt: bigint,
  type: string,
  result: ExecutionResult,
  requested: number,
): void {
  const head: AnswerHead = { status: undefined, setHeader: (name, value) => res.setHeader(name, value) };
  const errors = result.errors?.map((error) => formatted(policy, error, head));
  policy.finish(errors, head);
  const text = `${JSON.stringify({ errors, data: result.data, extensions: { ...result.extensions, cost: policy.costExtension(requested) } })}\n`;
  res.statusCode = head.status ?? 200;
  res.setHeader("content-type", type);
  res.setHeader("content-length", Buffer.byteLength(text));
  res.end(text);
  policy.record(operation, startedAt, errors);
}

/**
 * An execution error as the policy formats it, from the form Apollo hands its formatter: the
 * error's JSON with a code (INTERNAL_SERVER_ERROR when it has none), and its `http` extension
 * applied to the answer's head instead of shown.
 */
function formatted(policy: OperationPolicy, error: GraphQLError, head: AnswerHead): GraphQLFormattedError {
  const { http, ...extensions } = error.extensions as Record<string, unknown> & {
    http?: { status?: number; headers?: Map<string, string> };
  };
  if (http?.status) head.status = http.status;
  for (const [name, value] of http?.headers ?? []) head.setHeader(name, value);
  const json = error.toJSON();
  try {
    return policy.formatError({ ...json, extensions: { ...extensions, code: extensions.code ?? "INTERNAL_SERVER_ERROR" } }, error);
  } catch {
    return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
  }
}
