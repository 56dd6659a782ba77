/**
 * Paged and filtered getChildren (a Paddock extension): pages sorted by name, each continuing
 * after the last name of the previous one, so a listing stays exact while children come and go.
 */
import type { GetChildrenRequest } from "../gen/paddock/v1/data.js";
import { positive } from "./option-checks.js";
import type { Stat } from "./types.js";

export interface PageOptions {
  /** Names per page (the server's childrenPerReplyMax at most; 0 or absent: its limit). */
  pageSize?: number;
  /** The previous page's nextPageToken. */
  pageToken?: string;
  /** Only children whose name starts with this. */
  prefix?: string;
}

export interface ChildrenPage {
  /** Sorted by name. */
  children: string[];
  stat: Stat;
  /** Absent on the last page. */
  nextPageToken?: string;
}

/** The paging fields of a GetChildrenRequest. */
export function pageFields(options: PageOptions & { countOnly?: boolean }): Partial<GetChildrenRequest> {
  // Always present: a page_size (0: the server's limit) is what asks for a page.
  const fields: Partial<GetChildrenRequest> = { pageSize: options.pageSize ?? 0 };

  if (options.pageToken !== undefined) fields.pageToken = options.pageToken;
  if (options.prefix !== undefined) fields.namePrefix = options.prefix;
  if (options.countOnly === true) fields.countOnly = true;
  return fields;
}

/** What listChildren and countChildren need of a Client. */
export interface PagedReader {
  getChildrenPage(
    path: string,
    options?: PageOptions & { countOnly?: boolean },
  ): Promise<ChildrenPage & { count?: number }>;
}

/** Every child name (sorted, optionally with a prefix), fetched page by page. */
export async function* listChildren(
  client: PagedReader,
  path: string,
  options: Omit<PageOptions, "pageToken"> = {},
): AsyncGenerator<string, void, undefined> {
  if (options.pageSize !== undefined) positive("pageSize", options.pageSize);
  let pageToken: string | undefined;
  do {
    const page = await client.getChildrenPage(path, {
      ...options,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    yield* page.children;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
}

/** The number of direct children (with the prefix, when given), without their names. */
export async function countChildren(client: PagedReader, path: string, prefix?: string): Promise<number> {
  const page = await client.getChildrenPage(path, {
    countOnly: true,
    ...(prefix === undefined ? {} : { prefix }),
  });
  return page.count ?? 0;
}
