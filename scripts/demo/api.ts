/**
 * The demo seed talks to the server the way a client does: GraphQL over HTTP with a bearer
 * token. Anything unexpected (a GraphQL error, a userError, a failure of a bulk mutation) stops
 * the seed with the operation and its answer, so a story that no longer matches the product's
 * rules is noticed at once instead of leaving a workspace that tells half of it.
 */
import { parseGlobalId } from "../../src/schema/global-id";

export interface UserError {
  code: string;
  message: string;
  field?: string[] | null;
}

interface Answer<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export class Api {
  constructor(private readonly url: string) {}

  /** Runs one operation; throws on any GraphQL error. */
  async call<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as Answer<T>;
    if (answer.errors || !answer.data) {
      throw new Error(`${firstLine(query)} failed: ${JSON.stringify(answer.errors ?? answer)}`);
    }
    return answer.data;
  }

  /**
   * Runs a mutation whose payload (the only root field) carries userErrors, and for bulk
   * mutations failures; throws when there is any.
   */
  async mutate<P>(query: string, variables: Record<string, unknown>, token: string): Promise<P> {
    const data = await this.call<Record<string, P>>(query, variables, token);
    const payload = Object.values(data)[0];
    const problems = [
      ...((payload as { userErrors?: UserError[] }).userErrors ?? []),
      ...((payload as { failures?: UserError[] }).failures ?? []),
    ];
    if (problems.length > 0) throw new Error(`${firstLine(query)} refused: ${JSON.stringify(problems)}`);
    return payload;
  }
}

function firstLine(query: string): string {
  return query.trim().split("\n")[0].slice(0, 80);
}

/** The uuid inside a global id (the bulk volume and the story clock write SQL by uuid). */
export function uuidOf(id: string): string {
  const parsed = parseGlobalId(id);
  if (!parsed) throw new Error(`not a global id: ${id}`);
  return parsed.uuid;
}
