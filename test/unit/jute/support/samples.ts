// Sample values shared by the jute tests.
import type { Stat } from "../../../../server/gen/paddock/v1/data.js";
import type { Reply } from "../../../../server/gen/paddock/v1/session.js";

export const STAT: Stat = {
  czxid: 0x1_0000_0005n,
  mzxid: 0x1_0000_0009n,
  ctime: 1796605922416n,
  mtime: 1796605925713n,
  version: 3,
  cversion: -1,
  aversion: 2,
  ephemeralOwner: 0x1000c5e47000100n,
  dataLength: 5,
  numChildren: 7,
  pzxid: 0x7fff_ffff_ffff_fffen,
};

export function reply(result: Reply["result"], error?: Reply["error"]): Reply {
  return { xid: 42, zxid: 0x2_0000_0001n, result, error };
}
