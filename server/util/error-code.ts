/**
 * ZooKeeper's error codes with ZooKeeper's numbers; the same values as paddock.v1.ErrorCode, kept
 * here so the pure core folders need no value import from generated code.
 */
export const Code = {
  OK: 0,
  SystemError: -1,
  RuntimeInconsistency: -2,
  DataInconsistency: -3,
  ConnectionLoss: -4,
  MarshallingError: -5,
  Unimplemented: -6,
  OperationTimeout: -7,
  BadArguments: -8,
  UnknownSession: -12,
  /** reconfig: too few voters of the new configuration are in sync with the leader. */
  NewConfigNoQuorum: -13,
  /** reconfig: another reconfiguration is proposed and not yet committed. */
  ReconfigInProgress: -14,
  APIError: -100,
  NoNode: -101,
  NoAuth: -102,
  BadVersion: -103,
  NoChildrenForEphemerals: -108,
  NodeExists: -110,
  NotEmpty: -111,
  SessionExpired: -112,
  InvalidCallback: -113,
  InvalidACL: -114,
  AuthFailed: -115,
  SessionMoved: -118,
  NotReadOnly: -119,
  EphemeralOnLocalSession: -120,
  NoWatcher: -121,
  RequestTimeout: -122,
  /** reconfig without reconfigEnabled=true. */
  ReconfigDisabled: -123,
  /** enforce.auth.enabled: the session holds none of enforce.auth.schemes; its connection closes. */
  SessionClosedRequireSaslAuth: -124,
  QuotaExceeded: -125,
  Throttled: -127,
} as const;

export type CodeName = keyof typeof Code;
export type CodeValue = (typeof Code)[CodeName];

const names = new Map<number, CodeName>(
  (Object.entries(Code) as [CodeName, CodeValue][]).map(([name, value]) => [value, name]),
);

export function codeName(code: number): string {
  return names.get(code) ?? `Unknown(${code})`;
}
