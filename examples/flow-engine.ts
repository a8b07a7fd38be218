/**
 * The Handover side of a flow engine: it receives the flow starts that triggers ask for (a
 * TICKET_CLOSED trigger asks for one per closed ticket) and prints each; a real engine would
 * start the flow for the contact there. It keeps the cursor of the last start it handled in a
 * file, so a restart resumes exactly there.
 *
 *   HANDOVER_URL=http://localhost:4000/graphql HANDOVER_TOKEN=hov_… CURSOR_FILE=./flow-engine.cursor \
 *     node -r @swc-node/register examples/flow-engine.ts
 *
 * The token is an API token of an administrator or editor (createApiToken).
 */
import { follow, readCursor } from "./resumable";

interface FlowStart {
  id: string;
  cursor: string;
  flow: { externalId: string };
  contact: { id: string; urns: string[] };
  ticket: { id: string } | null;
}

const SUBSCRIPTION = `subscription($after: String) {
  flowStarts(after: $after) { id cursor flow { externalId } contact { id urns } ticket { id } }
}`;

/** Starts the flow. A real engine does it here, and may use the start's id to do it only once. */
async function startFlow(start: FlowStart): Promise<void> {
  console.log(
    `start flow ${start.flow.externalId} for contact ${start.contact.id} (${start.contact.urns.join(", ")})` +
      `${start.ticket ? ` after ticket ${start.ticket.id}` : ""} [${start.cursor}]`,
  );
}

function main(): void {
  const after = readCursor();
  console.log(after ? `resuming after ${after}` : "no cursor file yet: receiving the starts asked for from now on");
  follow<FlowStart>({
    query: SUBSCRIPTION,
    variables: { after: after ?? null },
    pick: (data) => data.flowStarts as FlowStart,
    handle: startFlow,
    what: "flow starts",
  });
}

main();
