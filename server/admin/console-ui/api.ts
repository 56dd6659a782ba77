/** The console's JSON API (server/admin/console-http.ts), typed for the page. */
import type {
  EnsembleMember,
  EnsembleView,
  MetricSample,
  SessionFigures,
  StatJson,
} from "../console-wire.js";

export type Stat = StatJson;
export type Member = EnsembleMember;
export type Ensemble = EnsembleView;
export type SessionRow = SessionFigures;
export type Sample = MetricSample;
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
