import type { ACL, CreateRequest } from "../../../server/gen/paddock/v1/data.js";
import type { AuthId } from "../../../server/tree/acl-check.js";
import { type ApplyOutcome, DataTree } from "../../../server/tree/data-tree.js";
import { Prep, type PrepContext, type TxnBody } from "../../../server/tree/prep.js";
import { defaultLimits, type Limits } from "../../../server/util/limits.js";
import type { PaddockError } from "../../../server/util/paddock-error.js";
import { E, OPEN } from "./txns.js";

/** A tree with prep in front: propose (prep at the next zxid) and apply, as the pipeline does. */
export class Harness {
  readonly tree: DataTree;
  readonly prep: Prep;
  zxid = E;
  time = 1_000_000;

  constructor(
    options: { extendedTypesEnabled?: boolean; superDigest?: string; limits?: Partial<Limits> } = {},
  ) {
    this.tree = new DataTree({ superDigest: options.superDigest });
    this.prep = new Prep(this.tree, {
      limits: { ...defaultLimits, ...options.limits },
      extendedTypesEnabled: options.extendedTypesEnabled ?? true,
      superDigest: options.superDigest,
    });
  }

  ctx(
    ids: readonly AuthId[] = [{ scheme: "ip", id: "127.0.0.1" }],
    sessionId = 0x100n,
    ephemeralAllowed = true,
  ): PrepContext {
    return { sessionId, ids, now: this.time, ephemeralAllowed };
  }

  /** Prep only: returns the zxid and body (not applied). */
  propose(prepare: (zxid: number) => TxnBody): { zxid: number; body: TxnBody } {
    const zxid = this.zxid + 1;
    const body = prepare(zxid);
    this.zxid = zxid;
    return { zxid, body };
  }

  apply(p: { zxid: number; body: TxnBody }, sessionId = 0x100n): ApplyOutcome {
    this.time += 10;
    const out = this.tree.apply({
      zxid: BigInt(p.zxid),
      sessionId,
      cxid: 0,
      origin: 0,
      originRef: 0,
      time: BigInt(this.time),
      body: p.body,
    });
    this.prep.committed(p.zxid);
    return out;
  }

  run(prepare: (zxid: number) => TxnBody, sessionId = 0x100n): ApplyOutcome {
    return this.apply(this.propose(prepare), sessionId);
  }

  create(
    path: string,
    mode = 0,
    opts: { data?: string; acl?: ACL[]; ctx?: PrepContext; ttl?: bigint } = {},
  ): ApplyOutcome {
    const ctx = opts.ctx ?? this.ctx();
    return this.run((z) => this.prep.create(createReq(path, mode, opts), ctx, z), ctx.sessionId);
  }

  /** The PaddockError prep throws (fails the test if it does not). */
  error(prepare: (zxid: number) => TxnBody | undefined): PaddockError {
    try {
      prepare(this.zxid + 1);
    } catch (e) {
      return e as PaddockError;
    }
    throw new Error("prep did not throw");
  }
}

export function createReq(
  path: string,
  mode = 0,
  opts: { data?: string; acl?: ACL[]; ttl?: bigint } = {},
): CreateRequest {
  return { path, data: Buffer.from(opts.data ?? ""), acl: opts.acl ?? OPEN, mode, ttl: opts.ttl ?? 0n };
}
