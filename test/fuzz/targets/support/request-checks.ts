// What the pipeline does with a decoded Request before it answers: the checks the fuzz targets
// of both gRPC doors run each decoded request through, on a small real tree.
import type { Request } from "../../../../server/gen/paddock/v1/session.js";
import { isWrite, type Op } from "../../../../server/pipeline/op-kinds.js";
import { executeRead, type ReadContext } from "../../../../server/pipeline/read-ops.js";
import { Requester } from "../../../../server/pipeline/requester.js";
import { prepareWrite } from "../../../../server/pipeline/write-ops.js";
import { DataTree } from "../../../../server/tree/data-tree.js";
import { Prep } from "../../../../server/tree/prep.js";
import { defaultLimits } from "../../../../server/util/limits.js";
import { PaddockError } from "../../../../server/util/paddock-error.js";
import { WatchRegistry } from "../../../../server/watches/watch-registry.js";

const SESSION = 0x100n;
const IDS = [{ scheme: "ip", id: "127.0.0.1" }];

/** A member's state for one input: a tree holding /a and /a/b, no outstanding changes. */
export class RequestChecks {
  private readonly tree = new DataTree();
  private readonly prep = new Prep(this.tree, { limits: defaultLimits, extendedTypesEnabled: true });
  private readonly read: ReadContext = {
    tree: this.tree,
    watches: new WatchRegistry({ watchesPerSessionMax: 1000 }),
    limits: defaultLimits,
    zookeeperConfig: new Uint8Array(0),
  };
  private readonly requester: Requester;
  private zxid = 0x1_0000_0000;

  constructor(session = true) {
    this.requester = new Requester(session ? SESSION : 0n, IDS, { send: () => {}, end: () => {} });
    for (const path of ["/a", "/a/b"]) {
      this.op({ $case: "create", value: { path, data: Buffer.from("x"), acl: [], mode: 0, ttl: 0n } });
    }
  }

  /**
   * One request as the pipeline runs it: no op is refused at intake; a write is prepped (and, if
   * that passes, applied as a committed transaction); a read runs against the tree. PaddockError
   * is the documented answer to a bad request; anything else escapes.
   */
  request(request: Request): void {
    if (request.op === undefined) return; // intake answers BadArguments
    this.op(request.op);
  }

  op(op: Op): void {
    try {
      if (op.$case === "addAuth") return; // intake's authenticate, not a decoder's concern
      if (isWrite(op)) {
        const session = this.requester.sessionId;
        const ctx = { sessionId: session, ids: IDS, now: 1, ephemeralAllowed: this.requester.isSession };
        const zxid = this.zxid + 1;
        const body = prepareWrite(this.prep, op, ctx, zxid);
        this.zxid = zxid;
        this.tree.apply({
          zxid: BigInt(zxid),
          sessionId: ctx.sessionId,
          cxid: 0,
          origin: 0,
          originRef: 0,
          time: 1n,
          body,
        });
        this.prep.committed(zxid);
      } else {
        executeRead(this.read, this.requester, IDS, op);
      }
    } catch (e) {
      if (!(e instanceof PaddockError)) throw e;
    }
  }
}

/** protobuf-es's BinaryReader throws Error or RangeError for bytes that are not the message. */
export function isProtobufDecodeError(e: unknown): boolean {
  return e instanceof Error && (e.constructor === Error || e.constructor === RangeError);
}
