// Browser entry of the offline GraphiQL page (bundled by scripts/build-graphiql.mjs).
// Everything, including the Monaco workers, is loaded from the server's own origin.
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { Kind, parse } from "graphql";
import { CloseCode, createClient } from "graphql-ws";

import "@graphiql/react/font/roboto.css";
import "@graphiql/react/font/fira-code.css";
import "@graphiql/react/style.css";
import "@graphiql/plugin-doc-explorer/style.css";
import "@graphiql/plugin-history/style.css";
import "graphiql/graphiql.css";
import "./page.css";

import logIn from "./examples/log-in.graphql";
import inbox from "./examples/inbox.graphql";
import ticketThread from "./examples/ticket-thread.graphql";
import ticketEvents from "./examples/ticket-events.graphql";

// The workers are separate entry points of the same build, emitted next to this file under
// content-hashed names that the build defines as HANDOVER_GRAPHIQL_WORKERS.
/* global HANDOVER_GRAPHIQL_WORKERS */
const WORKERS = HANDOVER_GRAPHIQL_WORKERS;
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = WORKERS[label] ?? WORKERS.editor;
    return new Worker(new URL(`./${file}`, import.meta.url), { type: "module" });
  },
};

// What a new visitor finds (GraphiQL keeps a returning visitor's own tabs): logging in first,
// then example operations, each tab with a placeholder where the token goes (headers belong to
// a tab). test/server/graphiql-assets.test.ts validates the examples against the schema.
const json = (value) => JSON.stringify(value, null, 2);
const TOKEN_HEADERS = json({ Authorization: "Bearer <paste the token of LogIn here>" });
const EXAMPLE_TABS = [
  { query: logIn, variables: json({ email: "admin@example.com", password: "" }) },
  { query: inbox, variables: json({ after: null }), headers: TOKEN_HEADERS },
  { query: ticketThread, variables: json({ ticketId: "<the id of a ticket from Inbox>" }), headers: TOKEN_HEADERS },
  { query: ticketEvents, variables: json({ after: null }), headers: TOKEN_HEADERS },
];

const root = document.getElementById("graphiql");
const httpUrl = new URL(root.dataset.endpoint || "/graphql", location.href);
const wsUrl = new URL(httpUrl);
wsUrl.protocol = httpUrl.protocol === "https:" ? "wss:" : "ws:";

function authorizationOf(headers) {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === "authorization" && value != null) return String(value);
  }
  return "";
}

// One fetcher (and lazy graphql-ws client) per distinct Authorization value, so the
// headers editor authenticates subscriptions through the connection_init payload.
// A lazy client only holds a socket while it has active subscriptions.
const fetchers = new Map();
function fetcherFor(authorization) {
  let fetcher = fetchers.get(authorization);
  if (!fetcher) {
    const wsClient = createClient({
      url: wsUrl.href,
      lazy: true,
      connectionParams: authorization ? { Authorization: authorization } : {},
      // graphql-ws retries a 4403 (rejected token) by default; this client's token never
      // changes, so report it at once instead of spinning through the retries.
      shouldRetry: (event) => typeof event?.code === "number" && event.code !== CloseCode.Forbidden,
    });
    fetcher = createGraphiQLFetcher({
      url: httpUrl.href,
      wsClient,
      enableIncrementalDelivery: false,
    });
    fetchers.set(authorization, fetcher);
  }
  return fetcher;
}

/**
 * The operation `params` runs, read from its own document. GraphiQL hands the fetcher the
 * editor's text as it is when Run is pressed, but the parsed document and operation name from a
 * copy that follows the editor about 100 ms behind: a subscription typed and run at once would
 * be judged by the previous text and sent over HTTP. An operationName that names none of the
 * document's operations is such a stale one when the document has a single operation.
 */
function operationOf(params) {
  let document;
  try {
    document = parse(params.query);
  } catch {
    return { document: undefined, operationName: params.operationName }; // HTTP: the server reports the syntax error
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const named = operations.some((o) => o.name?.value === params.operationName);
  if (!named && operations.length === 1) return { document, operationName: operations[0].name?.value ?? null };
  return { document, operationName: params.operationName };
}

// HTTP requests carry every header from the headers editor (the toolkit merges them); the
// toolkit sends the operation over graphql-ws when the document says it is a subscription.
const fetcher = (params, opts) => {
  const { document, operationName } = operationOf(params);
  return fetcherFor(authorizationOf(opts?.headers))({ ...params, operationName }, { ...opts, documentAST: document });
};

createRoot(root).render(
  <GraphiQL
    fetcher={fetcher}
    defaultTabs={EXAMPLE_TABS}
    isHeadersEditorEnabled
    defaultEditorToolsVisibility="variables"
  />,
);
