// Browser entry of the offline GraphiQL page (bundled by scripts/build-graphiql.mjs).
// Everything, including the Monaco workers, is loaded from the server's own origin.
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { CloseCode, createClient } from "graphql-ws";

import "@graphiql/react/font/roboto.css";
import "@graphiql/react/font/fira-code.css";
import "@graphiql/react/style.css";
import "@graphiql/plugin-doc-explorer/style.css";
import "@graphiql/plugin-history/style.css";
import "graphiql/graphiql.css";
import "./page.css";

// The workers are separate entry points of the same build, emitted next to this file.
const WORKERS = {
  json: "json.worker.js",
  graphql: "graphql.worker.js",
  editor: "editor.worker.js",
};
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = WORKERS[label] ?? WORKERS.editor;
    return new Worker(new URL(`./${file}`, import.meta.url), { type: "module" });
  },
};

const DEFAULT_QUERY = `# Welcome to Handover's GraphiQL.
#
# To log in, run (with your credentials):
#
#   mutation {
#     logIn(input: {
#       email: "you@example.com"
#       password: "..."
#     }) { token }
#   }
#
# then put the token in the Headers tab below:
#
#   { "Authorization": "Bearer <token>" }
#
# It authenticates queries, mutations and
# subscriptions alike.

query Me {
  viewer {
    user {
      email
    }
  }
}
`;

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

// HTTP requests carry every header from the headers editor (the toolkit merges them).
const fetcher = (params, opts) => fetcherFor(authorizationOf(opts?.headers))(params, opts);

createRoot(root).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={DEFAULT_QUERY}
    isHeadersEditorEnabled
    defaultEditorToolsVisibility="headers"
  />,
);
