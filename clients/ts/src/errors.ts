/**
 * One error type carrying ZooKeeper's code, name and path, with a subclass per ZooKeeper name so
 * `err instanceof NoNodeError` works. Codes and names are ZooKeeper's (paddock.v1.ErrorCode).
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
  NewConfigNoQuorum: -13,
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
  ReconfigDisabled: -123,
  SessionClosedRequireSaslAuth: -124,
  QuotaExceeded: -125,
  Throttled: -127,
} as const;

export type CodeName = keyof typeof Code;

const namesByCode = new Map<number, CodeName>(
  (Object.entries(Code) as [CodeName, number][]).map(([name, value]) => [value, name]),
);

/** ZooKeeper's name for a code ("NoNode"), or `Unknown(<code>)`. */
export function codeName(code: number): string {
  return namesByCode.get(code) ?? `Unknown(${code})`;
}

export class PaddockError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly path: string;

  constructor(code: number, path = "", message?: string, options?: { cause?: unknown }) {
    const name = codeName(code);
    super(message && message.length > 0 ? message : path ? `${name}: ${path}` : name, options);
    this.code = code;
    this.codeName = name;
    this.path = path;
    this.name = `${name}Error`;
  }

  /** True when this error has the given code (number or ZooKeeper name). */
  is(code: number | CodeName): boolean {
    return this.code === (typeof code === "number" ? code : Code[code]);
  }
}

type ErrorClass = new (path?: string, message?: string, options?: { cause?: unknown }) => PaddockError;

function subclass(code: number): ErrorClass {
  return class extends PaddockError {
    constructor(path = "", message?: string, options?: { cause?: unknown }) {
      super(code, path, message, options);
    }
  };
}

export const SystemError = subclass(Code.SystemError);
export const RuntimeInconsistencyError = subclass(Code.RuntimeInconsistency);
export const DataInconsistencyError = subclass(Code.DataInconsistency);
export const ConnectionLossError = subclass(Code.ConnectionLoss);
export const MarshallingError = subclass(Code.MarshallingError);
export const UnimplementedError = subclass(Code.Unimplemented);
export const OperationTimeoutError = subclass(Code.OperationTimeout);
export const BadArgumentsError = subclass(Code.BadArguments);
export const UnknownSessionError = subclass(Code.UnknownSession);
export const NewConfigNoQuorumError = subclass(Code.NewConfigNoQuorum);
export const ReconfigInProgressError = subclass(Code.ReconfigInProgress);
export const APIError = subclass(Code.APIError);
export const NoNodeError = subclass(Code.NoNode);
export const NoAuthError = subclass(Code.NoAuth);
export const BadVersionError = subclass(Code.BadVersion);
export const NoChildrenForEphemeralsError = subclass(Code.NoChildrenForEphemerals);
export const NodeExistsError = subclass(Code.NodeExists);
export const NotEmptyError = subclass(Code.NotEmpty);
export const SessionExpiredError = subclass(Code.SessionExpired);
export const InvalidCallbackError = subclass(Code.InvalidCallback);
export const InvalidACLError = subclass(Code.InvalidACL);
export const AuthFailedError = subclass(Code.AuthFailed);
export const SessionMovedError = subclass(Code.SessionMoved);
export const NotReadOnlyError = subclass(Code.NotReadOnly);
export const EphemeralOnLocalSessionError = subclass(Code.EphemeralOnLocalSession);
export const NoWatcherError = subclass(Code.NoWatcher);
export const RequestTimeoutError = subclass(Code.RequestTimeout);
export const ReconfigDisabledError = subclass(Code.ReconfigDisabled);
export const SessionClosedRequireSaslAuthError = subclass(Code.SessionClosedRequireSaslAuth);
export const QuotaExceededError = subclass(Code.QuotaExceeded);
export const ThrottledError = subclass(Code.Throttled);

/** A path the client refused before sending (ZooKeeper's client-side validatePath). */
export class InvalidPathError extends PaddockError {
  constructor(path: string, message: string) {
    super(Code.BadArguments, path, message);
    this.name = "InvalidPathError";
  }
}

const classes = new Map<number, ErrorClass>([
  [Code.SystemError, SystemError],
  [Code.RuntimeInconsistency, RuntimeInconsistencyError],
  [Code.DataInconsistency, DataInconsistencyError],
  [Code.ConnectionLoss, ConnectionLossError],
  [Code.MarshallingError, MarshallingError],
  [Code.Unimplemented, UnimplementedError],
  [Code.OperationTimeout, OperationTimeoutError],
  [Code.BadArguments, BadArgumentsError],
  [Code.UnknownSession, UnknownSessionError],
  [Code.NewConfigNoQuorum, NewConfigNoQuorumError],
  [Code.ReconfigInProgress, ReconfigInProgressError],
  [Code.APIError, APIError],
  [Code.NoNode, NoNodeError],
  [Code.NoAuth, NoAuthError],
  [Code.BadVersion, BadVersionError],
  [Code.NoChildrenForEphemerals, NoChildrenForEphemeralsError],
  [Code.NodeExists, NodeExistsError],
  [Code.NotEmpty, NotEmptyError],
  [Code.SessionExpired, SessionExpiredError],
  [Code.InvalidCallback, InvalidCallbackError],
  [Code.InvalidACL, InvalidACLError],
  [Code.AuthFailed, AuthFailedError],
  [Code.SessionMoved, SessionMovedError],
  [Code.NotReadOnly, NotReadOnlyError],
  [Code.EphemeralOnLocalSession, EphemeralOnLocalSessionError],
  [Code.NoWatcher, NoWatcherError],
  [Code.RequestTimeout, RequestTimeoutError],
  [Code.ReconfigDisabled, ReconfigDisabledError],
  [Code.SessionClosedRequireSaslAuth, SessionClosedRequireSaslAuthError],
  [Code.QuotaExceeded, QuotaExceededError],
  [Code.Throttled, ThrottledError],
]);

/** The PaddockError subclass for a code (PaddockError itself for unknown codes). */
export function errorFor(code: number, path = "", message?: string, cause?: unknown): PaddockError {
  const cls = classes.get(code);
  const options = cause === undefined ? undefined : { cause };
  return cls ? new cls(path, message, options) : new PaddockError(code, path, message, options);
}
