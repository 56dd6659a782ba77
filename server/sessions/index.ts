export { applySessionTxn } from "./apply-session-txn.js";
export { passwordMatches } from "./password-matches.js";
export { SESSION_SERVER_ID_MAX, SessionIdGenerator } from "./session-id-generator.js";
export { type SessionEntry, SessionTable, type SessionTableOptions } from "./session-table.js";
