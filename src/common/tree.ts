/**
 * One rewrite API for every tree in the engine: logical plans, physical plans and both kinds of
 * expression. A tree type supplies `children` and `withChildren` once (a `TreeOps`); rules and passes
 * then match a single node and never recurse by hand.
 */

export interface Transformed<T> {
  readonly node: T;
  readonly changed: boolean;
}

export function changed<T>(node: T): Transformed<T> {
  return { node, changed: true };
}

export function unchanged<T>(node: T): Transformed<T> {
  return { node, changed: false };
}

export interface TreeOps<T> {
  children(node: T): readonly T[];
  /** A copy of `node` with new children, in the order `children` returned them. */
  withChildren(node: T, children: readonly T[]): T;
}

/** Rewrites children first, then the node itself. */
export function transformUp<T>(ops: TreeOps<T>, node: T, f: (n: T) => Transformed<T>): Transformed<T> {
  const kids = ops.children(node);
  let anyChanged = false;
  let current = node;
  if (kids.length > 0) {
    const newKids = kids.map((k) => {
      const r = transformUp(ops, k, f);
      if (r.changed) anyChanged = true;
      return r.node;
    });
    if (anyChanged) current = ops.withChildren(node, newKids);
  }
  const r = f(current);
  return { node: r.node, changed: anyChanged || r.changed };
}

/** Rewrites the node first, then the children of whatever it became. */
export function transformDown<T>(ops: TreeOps<T>, node: T, f: (n: T) => Transformed<T>): Transformed<T> {
  const r = f(node);
  const kids = ops.children(r.node);
  if (kids.length === 0) return r;
  let anyChanged = false;
  const newKids = kids.map((k) => {
    const c = transformDown(ops, k, f);
    if (c.changed) anyChanged = true;
    return c.node;
  });
  if (!anyChanged) return r;
  return { node: ops.withChildren(r.node, newKids), changed: true };
}

/** Visits every node, parents before children; stop descending below a node by returning false. */
export function visit<T>(ops: TreeOps<T>, node: T, f: (n: T) => boolean | void): void {
  if (f(node) === false) return;
  for (const k of ops.children(node)) visit(ops, k, f);
}

/** True if any node satisfies `pred`. */
export function exists<T>(ops: TreeOps<T>, node: T, pred: (n: T) => boolean): boolean {
  if (pred(node)) return true;
  return ops.children(node).some((k) => exists(ops, k, pred));
}
