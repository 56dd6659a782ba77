import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import type { SessionTable } from "./session-table.js";

/**
 * The session table's part of a committed transaction, the same on apply and on recovery replay:
 * createSession adds the session (once), closeSession removes it. `now` starts its timeout.
 */
export function applySessionTxn(txn: Txn, sessions: SessionTable, now: number): void {
  const body = txn.body;
  if (body?.$case === "createSession") {
    if (sessions.get(txn.sessionId) === undefined) {
      sessions.add(txn.sessionId, body.value.timeoutMs, body.value.password, now);
    }
  } else if (body?.$case === "closeSession") {
    sessions.remove(txn.sessionId);
  }
}
