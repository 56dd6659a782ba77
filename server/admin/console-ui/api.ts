/** The console's JSON API (server/admin/console-http.ts), typed for the page. */
export interface Stat {
  czxid: string;
  mzxid: string;
  pzxid: string;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}
export interface ChildEntry {
  name: string;
  path: string;
  numChildren: number;
}
export interface ChildrenPage {
  path: string;
  total: number;
  offset: number;
  children: ChildEntry[];
}
export interface NodeInfo {
  path: string;
  data: string;
  dataNull: boolean;
  stat: Stat;
  acl: { scheme: string; id: string; perms: number }[];
  aclError?: string;
}
export interface Who {
  user: string | null;
  sessionId?: string;
}
export interface Member {
  id: number;
  address: string;
  observer: boolean;
  self: boolean;
  role: string;
  health: "up" | "syncing" | "down" | "unknown";
  zxid?: string;
  lag?: number;
}
export interface Ensemble {
  serverId: number;
  state: string;
  leaderId: number;
  epoch: number;
  zxid: string;
  members: Member[];
}
export interface SessionRow {
  id: string;
  timeoutMs: number;
  address?: string;
  ephemerals: string[];
}
export interface Sample {
  t: number;
  znodes: number;
  watches: number;
  sessions: number;
  outstanding: number;
  requestsPerSecond: number;
  latencyAvgMs: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function parse<T>(response: Response): Promise<T> {
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? response.statusText);
  return body;
}

export async function get<T>(route: string, params: Record<string, string | number> = {}): Promise<T> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const suffix = query.size > 0 ? `?${query}` : "";
  return parse<T>(await fetch(`/api/${route}${suffix}`, { credentials: "same-origin" }));
}

export async function post<T>(route: string, body: unknown): Promise<T> {
  const response = await fetch(`/api/${route}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return parse<T>(response);
}
