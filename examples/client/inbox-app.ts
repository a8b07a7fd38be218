/**
 * A minimal agent inbox in the browser, on Apollo Client and the typed operations: the open
 * unassigned tickets two at a time ("More"), the folder counts, "Assign to me" and "Close" on
 * each ticket, and the live events of the workspace. Everything it shows after the first load
 * comes from the answers of its own mutations and from the subscription, never from a refetch.
 *
 * It reads the API's address and a token from the page's query string:
 *   inbox.html?api=https://handover.example.com/graphql&token=hov_…
 * (A real app signs in with logIn and keeps the session token; the example skips that.)
 */
import { createHandoverClient } from "./apollo";
import { ASSIGN_TICKETS, CLOSE_TICKETS, INBOX, INBOX_COUNTS, LIVE_EVENTS, ME } from "./operations";

const params = new URLSearchParams(location.search);
const api = params.get("api") ?? `${location.origin}/graphql`;
const token = params.get("token") ?? "";
const PAGE = 2;
const FILTER = { folder: "UNASSIGNED", status: "OPEN" } as const;

const cursorKey = `handover.events.after:${api}`;
let viewerId: string | undefined;
const client = createHandoverClient({
  httpUrl: api,
  token,
  // The last delivered event, kept so that a reload of the page resumes after it.
  resume: { onCursor: (cursor) => sessionStorage.setItem(cursorKey, cursor) },
  onClosed: (event) => status(`live events: reconnecting (${(event as { code?: number }).code ?? "?"})`),
});

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = "", attributes: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

const root = document.getElementById("app") ?? document.body;
const statusLine = element("p", "", { role: "status" });
const counts = element("dl", "", { "aria-label": "Folder counts" });
const list = element("ul", "", { "aria-label": "Unassigned tickets" });
const more = element("button", "More");
const events = element("ol", "", { "aria-label": "Live events" });
const errors = element("ul", "", { "aria-label": "Errors" });
root.append(element("h1", "Inbox"), statusLine, counts, list, more, element("h2", "Live events"), events, errors);

function status(text: string): void {
  statusLine.textContent = text;
}
function report(error: unknown): void {
  errors.append(element("li", error instanceof Error ? error.message : String(error)));
}

async function main(): Promise<void> {
  const me = await client.apollo.query({ query: ME });
  viewerId = me.data?.viewer.user.id;

  client.apollo.watchQuery({ query: INBOX_COUNTS }).subscribe(({ data, dataState }) => {
    if (dataState !== "complete") return;
    counts.replaceChildren(
      ...data.ticketCounts.folders.flatMap((f) => [element("dt", f.folder), element("dd", `${f.open} open, ${f.closed} closed`, { "data-folder": f.folder })]),
    );
  });

  const inbox = client.apollo.watchQuery({ query: INBOX, variables: { filter: FILTER, first: PAGE } });
  inbox.subscribe(({ data, dataState, error }) => {
    if (error) report(error);
    if (dataState !== "complete") return;
    list.replaceChildren(
      ...data.tickets.edges.map(({ node }) => {
        const item = element("li", "", { "data-ticket": node.id });
        const assign = element("button", "Assign to me");
        const close = element("button", "Close");
        assign.onclick = () => void assignToMe(node.id).catch(report);
        close.onclick = () => void closeTicket(node.id).catch(report);
        item.append(element("span", `${node.contact.name ?? "(no name)"} · ${node.topic.name} · ${node.status}`), assign, close);
        return item;
      }),
    );
    more.disabled = !data.tickets.pageInfo.hasNextPage;
    more.onclick = () => void inbox.fetchMore({ variables: { after: data.tickets.pageInfo.endCursor } }).catch(report);
    status(`${data.tickets.edges.length} shown`);
  });

  client.apollo
    .subscribe({ query: LIVE_EVENTS, variables: { after: sessionStorage.getItem(cursorKey) } })
    .subscribe({
      next: ({ data }) => {
        if (data) events.append(element("li", `${data.ticketEvents.type} ${data.ticketEvents.ticket.id}`, { "data-event": data.ticketEvents.id }));
      },
      error: report,
    });
}

/** A bulk change's answer (tickets, counts, failures with the ticket as it is) has updated the cache; what failed is shown. */
function reportPayload(payload: { failures: { code: string; message: string }[]; userErrors: { code: string; message: string; fieldPath?: string[] | null }[] } | undefined): void {
  for (const failure of payload?.failures ?? []) report(`${failure.code}: ${failure.message}`);
  for (const userError of payload?.userErrors ?? []) report(`${userError.code} (${userError.fieldPath?.join(".") ?? "input"}): ${userError.message}`);
}

async function assignToMe(ticketId: string): Promise<void> {
  const { data, error } = await client.apollo.mutate({ mutation: ASSIGN_TICKETS, variables: { input: { ticketIds: [ticketId], assigneeId: viewerId } } });
  if (error) return report(error);
  reportPayload(data?.assignTickets);
}

async function closeTicket(ticketId: string): Promise<void> {
  const { data, error } = await client.apollo.mutate({ mutation: CLOSE_TICKETS, variables: { input: { ticketIds: [ticketId] } } });
  if (error) return report(error);
  reportPayload(data?.closeTickets);
}

main().catch(report);
