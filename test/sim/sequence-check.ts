/** A sequential create as a client saw it; `tag` is the data it wrote, so the final tree names it. */
export interface SequenceOp {
  readonly tag: string;
  readonly invoke: number;
  /** Infinity when the outcome is unknown. */
  complete: number;
  /** The created path, once acknowledged. */
  name: string | undefined;
}

/**
 * Linearizability of sequential creates under one parent that nothing else touches: the suffix is
 * a counter, so the creates that took effect must hold 0..n-1 exactly once each, every acknowledged
 * one among them under the name it was told, and one that completed before another started must
 * hold the smaller number. `final` maps the parent's child names to their data after the run.
 */
export function checkSequence(
  ops: readonly SequenceOp[],
  final: ReadonlyMap<string, string>,
): string | undefined {
  const byTag = new Map(ops.map((o) => [o.tag, o]));
  const number = new Map<SequenceOp, number>();
  for (const [name, tag] of final) {
    const op = byTag.get(tag);
    if (op === undefined) return `sequential ${name} holds ${tag}, which no client created`;
    if (number.has(op)) return `sequential create ${tag} took effect twice`;
    number.set(op, Number(name.slice(name.lastIndexOf("-") + 1)));
  }
  const taken = [...number.values()].sort((a, b) => a - b);
  const hole = taken.findIndex((n, i) => n !== i);
  if (hole >= 0) return `sequence numbers of the creates that took effect skip ${hole}: ${taken.join(",")}`;
  for (const op of ops) {
    if (op.complete === Number.POSITIVE_INFINITY) continue;
    const n = number.get(op);
    if (n === undefined) return `acknowledged sequential create ${op.tag} (${op.name}) is lost`;
    if (op.name === undefined || Number(op.name.slice(op.name.lastIndexOf("-") + 1)) !== n) {
      return `sequential create ${op.tag} was told ${op.name} but holds ${n}`;
    }
  }
  for (const [a, na] of number) {
    for (const [b, nb] of number) {
      if (a.complete < b.invoke && na > nb) {
        return `sequential create ${a.tag} (#${na}) completed at ${a.complete} before ${b.tag} (#${nb}) started at ${b.invoke}`;
      }
    }
  }
  return undefined;
}
