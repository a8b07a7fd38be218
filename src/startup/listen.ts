import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Why the port could not be had, in one line naming the setting to change. */
export function listenProblem(error: NodeJS.ErrnoException, port: number, host: string): string {
  const where = `port ${port} on ${host} (PORT=${port}, HOST=${host})`;
  switch (error.code) {
    case "EADDRINUSE":
      return `${where} is already in use, perhaps by another Handover: stop it, or set PORT to a free port`;
    case "EACCES":
    case "EPERM":
      return `${where} may not be used by this user (${error.code}): set PORT to 1024 or above`;
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `HOST=${host} is not an address of this machine (${error.code}): set HOST to 0.0.0.0 (every interface) or 127.0.0.1 (this machine only)`;
    default:
      return `cannot listen on ${where}: ${error.message.replace(/\s+/g, " ")}`;
  }
}

/**
 * Binds the HTTP server to its port and resolves with the port bound (PORT=0 picks a free one).
 * A port that cannot be had rejects with one line saying which port and which setting to change.
 */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off("listening", onListening);
      reject(new Error(listenProblem(error, port, host), { cause: error }));
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
