/**
 * A channel connector for Handover: it takes every reply agents send (MESSAGE_SENT events),
 * "delivers" it on the channel (here: prints it), and reports the delivery back with
 * updateMessageStatus (SENT, then DELIVERED). It keeps the cursor of the last event it handled
 * in a file, so a restart resumes exactly there.
 *
 *   HANDOVER_URL=http://localhost:4000/graphql HANDOVER_TOKEN=hov_… CURSOR_FILE=./connector.cursor \
 *     node -r @swc-node/register examples/channel-connector.ts
 *
 * The token is an API token of an administrator or editor (createApiToken).
 */
import { follow, graphql, readCursor, saveCursor } from "./resumable";

interface SentEvent {
  cursor: string;
  ticket: { id: string };
  message: { id: string; urn: string; text: string } | null;
}

const SUBSCRIPTION = `subscription($after: String, $filter: TicketEventFilter) {
  ticketEvents(after: $after, filter: $filter) { cursor ticket { id } message { id urn text } }
}`;

const REPORT = `mutation($i: UpdateMessageStatusInput!) {
  updateMessageStatus(input: $i) { message { status } userErrors { code message } }
}`;

async function report(messageId: string, status: "SENT" | "DELIVERED"): Promise<void> {
  const data = await graphql<{ updateMessageStatus: { userErrors: Array<{ code: string; message: string }> } }>(REPORT, {
    i: { id: messageId, status },
  });
  const [problem] = data.updateMessageStatus.userErrors;
  if (problem) throw new Error(`updateMessageStatus ${status}: ${problem.code} ${problem.message}`);
}

/** Hands a reply to the channel. A real connector calls the channel's API here. */
async function deliver(event: SentEvent): Promise<void> {
  if (!event.message) return;
  await report(event.message.id, "SENT");
  console.log(`delivered ${event.message.id} to ${event.message.urn}: ${event.message.text}`);
  await report(event.message.id, "DELIVERED");
}

async function main(): Promise<void> {
  let after = readCursor();
  if (after) {
    console.log(`resuming after ${after}`);
  } else {
    // First run: start from now. eventCursor is the event cursor as of this (tiny) list: nothing
    // that happens after it is missed.
    const data = await graphql<{ tickets: { eventCursor: string } }>(`
      {
        tickets(first: 1) {
          eventCursor
        }
      }
    `);
    after = data.tickets.eventCursor;
    saveCursor(after);
    console.log(`no cursor file yet: starting from now (${after})`);
  }

  follow<SentEvent>({
    query: SUBSCRIPTION,
    variables: { after, filter: { types: ["MESSAGE_SENT"] } },
    pick: (data) => data.ticketEvents as SentEvent,
    handle: deliver,
    what: "replies",
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
