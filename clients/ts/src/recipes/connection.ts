/**
 * What a recipe that holds something (a lock, leadership, membership) tells its user about the
 * session: "suspended" the moment the connection is lost (the hold may be gone: stop writing),
 * "reconnected" when the same session resumes (the hold is intact), "lost" when the session
 * expired or closed (the hold is gone for good; the recipe cannot be used again).
 */
import type { Client, ClientState } from "../client.js";
import { Code, PaddockError } from "../errors.js";

export type ConnectionEvent = "suspended" | "reconnected" | "lost";

const terminal: ReadonlySet<ClientState> = new Set(["expired", "closed", "authFailed"]);

/** Calls `on` with the recipe-level event of each session state change; returns the unsubscribe. */
export function followSession(client: Client, on: (event: ConnectionEvent) => void): () => void {
  let suspended = client.state === "disconnected";
  const listener = (state: ClientState): void => {
    if (terminal.has(state)) on("lost");
    else if (state === "disconnected" && !suspended) {
      suspended = true;
      on("suspended");
    } else if (state === "connected" && suspended) {
      suspended = false;
      on("reconnected");
    }
  };
  client.on("state", listener);
  return () => client.off("state", listener);
}

/** True once the session can no longer be used (expired, closed, auth failed). */
export function isLost(client: Client): boolean {
  return terminal.has(client.state);
}

/** Resolves once the session is connected again; rejects when it is lost first. */
export function reconnected(client: Client): Promise<void> {
  if (client.state === "connected") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const listener = (state: ClientState): void => {
      if (state === "connected") {
        client.off("state", listener);
        resolve();
      } else if (terminal.has(state)) {
        client.off("state", listener);
        reject(new PaddockError(Code.SessionExpired, "", `session ${state} while waiting to reconnect`));
      }
    };
    client.on("state", listener);
  });
}
