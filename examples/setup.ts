/**
 * Everything the two examples need, made in one run: logs in as an administrator or editor,
 * creates an API token for each example, registers the flow the flow engine starts and a
 * TICKET_CLOSED trigger for it (without a trigger no flow start is ever asked for), then prints
 * the lines to paste into a shell. Running it again makes new tokens and keeps the flow and the
 * trigger (a workspace has at most one TICKET_CLOSED trigger: one that starts another flow is
 * left as it is, and said so).
 *
 *   HANDOVER_URL=http://localhost:4000/graphql HANDOVER_EMAIL=admin@example.com HANDOVER_PASSWORD=… \
 *     node -r @swc-node/register examples/setup.ts
 *
 * FLOW_EXTERNAL_ID (default "follow-up-survey") names the flow in your flow engine.
 */

const url = process.env.HANDOVER_URL ?? "http://localhost:4000/graphql";
const flowExternalId = process.env.FLOW_EXTERNAL_ID ?? "follow-up-survey";

interface Answer<T> {
  data?: T;
  errors?: Array<{ message: string }>;
}

async function call<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Answer<T>;
  if (body.errors?.length || !body.data) throw new Error(body.errors?.map((e) => e.message).join("; ") ?? `HTTP ${res.status}`);
  return body.data;
}

interface Payload {
  userErrors: Array<{ code: string; message: string }>;
}

function refused(what: string, payload: Payload): Error {
  return new Error(`${what}: ${payload.userErrors.map((e) => `${e.code} ${e.message}`).join("; ")}`);
}

async function main(): Promise<void> {
  const email = process.env.HANDOVER_EMAIL;
  const password = process.env.HANDOVER_PASSWORD;
  if (!email || !password) throw new Error("set HANDOVER_EMAIL and HANDOVER_PASSWORD (an administrator or editor)");

  const { logIn } = await call<{ logIn: Payload & { token: string | null; viewer: { role: string } | null } }>(
    `mutation($i: LogInInput!) { logIn(input: $i) { token viewer { role } userErrors { code message } } }`,
    { i: { email, password } },
  );
  if (!logIn.token || !logIn.viewer) throw refused("logIn", logIn);
  if (logIn.viewer.role === "AGENT") throw new Error("an agent may not register flows or triggers: log in as an administrator or editor");
  const session = logIn.token;

  const tokenFor = async (name: string): Promise<string> => {
    const { createApiToken } = await call<{ createApiToken: Payload & { token: string | null } }>(
      `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token userErrors { code message } } }`,
      { i: { name } },
      session,
    );
    if (!createApiToken.token) throw refused("createApiToken", createApiToken);
    return createApiToken.token;
  };
  const connectorToken = await tokenFor("channel connector example");
  const engineToken = await tokenFor("flow engine example");

  const { registerFlow } = await call<{ registerFlow: Payload & { flow: { id: string } | null } }>(
    `mutation($i: RegisterFlowInput!) { registerFlow(input: $i) { flow { id } userErrors { code message } } }`,
    { i: { name: "Follow-up survey", externalId: flowExternalId } },
    session,
  );
  if (!registerFlow.flow) throw refused("registerFlow", registerFlow);

  const { triggers } = await call<{ triggers: Array<{ type: string; flow: { externalId: string } }> }>(
    `{ triggers { type flow { externalId } } }`,
    {},
    session,
  );
  const closed = triggers.find((t) => t.type === "TICKET_CLOSED");
  let trigger: string;
  if (!closed) {
    const { createTrigger } = await call<{ createTrigger: Payload & { trigger: { id: string } | null } }>(
      `mutation($i: CreateTriggerInput!) { createTrigger(input: $i) { trigger { id } userErrors { code message } } }`,
      { i: { type: "TICKET_CLOSED", flowExternalId } },
      session,
    );
    if (!createTrigger.trigger) throw refused("createTrigger", createTrigger);
    trigger = `created: closing a ticket now asks for a start of ${flowExternalId}`;
  } else if (closed.flow.externalId === flowExternalId) {
    trigger = `already there: closing a ticket asks for a start of ${flowExternalId}`;
  } else {
    trigger = `left as it is: it starts ${closed.flow.externalId} (delete it with deleteTrigger to start ${flowExternalId} instead)`;
  }

  console.log(`Flow ${flowExternalId}: registered. TICKET_CLOSED trigger: ${trigger}.`);
  console.log("");
  console.log("Channel connector:");
  console.log(`  HANDOVER_URL=${url} HANDOVER_TOKEN=${connectorToken} CURSOR_FILE=./connector.cursor \\`);
  console.log("    node -r @swc-node/register examples/channel-connector.ts");
  console.log("Flow engine:");
  console.log(`  HANDOVER_URL=${url} HANDOVER_TOKEN=${engineToken} CURSOR_FILE=./flow-engine.cursor \\`);
  console.log("    node -r @swc-node/register examples/flow-engine.ts");
}

main().catch((error: unknown) => {
  console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
