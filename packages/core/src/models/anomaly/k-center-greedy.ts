/**
 * Exact greedy k-center selection (farthest-point sampling): start from one point, then
 * repeatedly add the point whose distance to the nearest selected point is largest.
 *
 * The answer is the one the plain O(n k d) loop gives; it is reached faster by skipping
 * work the triangle inequality proves useless. Each point belongs to the cluster of its
 * nearest selected center; a cluster keeps its members sorted by that distance, largest
 * first. When a new center c is added, a member p of cluster j (center c_j) can only move
 * to c if d(p, c) < d(p, c_j), and d(p, c) >= d(c, c_j) - d(p, c_j), so p stays whenever
 * d(c, c_j) >= 2 d(p, c_j): a cluster is skipped whole when that holds for its farthest
 * member, and otherwise scanned only down to the first member for which it holds. Every
 * radius is at most R = d(c, nearest center), so only clusters whose centers lie within
 * 2R of c along the first coordinate are looked at (centers are kept sorted by it).
 * Squared distances are summed coordinate by coordinate and abandoned once they pass the
 * bound that matters (partial distance search), which pays off most when the leading
 * coordinates carry the most variance (see `pca-rotation.ts`).
 */
import { XqcError } from '../../errors.ts';

/** Guards the triangle-inequality skips against float rounding: skip only with this relative margin. */
const MARGIN = 1 + 1e-9;

/** Leading coordinates copied into compact arrays: most bounded distances end within them, in cache. */
const HEAD = 8;

/**
 * Squared distance between rows a and b of `x` [n, d], whose first `h` coordinates are
 * also at `headA[ha..]` and `headB[hb..]`, or any value >= `bound` once the partial sum
 * reaches it. The sum runs in coordinate order either way, so the value is the plain one.
 */
function boundedDistance2(x: Float32Array, d: number, h: number, headA: Float32Array, ha: number, a: number, headB: Float32Array, hb: number, b: number, bound: number): number {
  let s = 0;
  for (let j = 0; j < h; j++) {
    const t = headA[ha + j] - headB[hb + j];
    s += t * t;
    if (s >= bound) return s;
  }
  const oa = a * d;
  const ob = b * d;
  for (let j = h; j < d; j++) {
    const t = x[oa + j] - x[ob + j];
    s += t * t;
    if (s >= bound) return s;
  }
  return s;
}

/** A max segment tree over cluster radii: which cluster holds the farthest point. */
class MaxTree {
  private readonly size: number;
  private readonly value: Float64Array;
  private readonly arg: Int32Array;

  constructor(capacity: number) {
    let size = 1;
    while (size < capacity) size *= 2;
    this.size = size;
    this.value = new Float64Array(2 * size).fill(-1);
    this.arg = new Int32Array(2 * size);
    for (let i = 0; i < size; i++) this.arg[size + i] = i;
  }

  set(i: number, v: number): void {
    let k = this.size + i;
    this.value[k] = v;
    for (k >>= 1; k >= 1; k >>= 1) {
      const l = 2 * k;
      const take = this.value[l] >= this.value[l + 1] ? l : l + 1;
      this.value[k] = this.value[take];
      this.arg[k] = this.arg[take];
    }
  }

  get maxValue(): number {
    return this.value[1];
  }

  get maxIndex(): number {
    return this.arg[1];
  }
}

/** First index of sorted `keys[0..n)` whose key is >= v. */
function lowerBound(keys: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Greedy k-center selection on the rows of `points`.
 * @param points [n, d] float32, row-major
 * @param k number of rows to select, 1..n
 * @param first index of the first center
 * @returns the selected row indices in selection order (int32 [k], fewer when every row
 *   coincides with a selected one); row i+1 maximises min_{s <= i} ||x - x_s||^2 over all rows
 */
export function kCenterGreedy(points: Float32Array, n: number, d: number, k: number, first: number): Int32Array {
  if (!(Number.isInteger(n) && Number.isInteger(d) && n > 0 && d > 0) || points.length !== n * d) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `k-center: ${points.length} values do not form ${n} rows of ${d}`);
  }
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new XqcError('XQC_INVALID_ARGUMENT', `k-center: k must be an integer in 1..${n}, got ${k}`);
  if (!(Number.isInteger(first) && first >= 0 && first < n)) throw new XqcError('XQC_INVALID_ARGUMENT', `k-center: first index ${first} is out of range`);

  const h = Math.min(HEAD, d);
  const head = new Float32Array(n * h);
  for (let p = 0; p < n; p++) for (let j = 0; j < h; j++) head[p * h + j] = points[p * d + j];
  const minD = new Float64Array(n);
  const centers = new Int32Array(k);
  // Per cluster: its center's leading coordinates, its radius^2, its members sorted by minD (largest first).
  const centerHead = new Float32Array(k * h);
  const radius = new Float64Array(k);
  const members: Int32Array[] = new Array<Int32Array>(k);
  const sizes = new Int32Array(k);
  const tree = new MaxTree(k);
  // Cluster ids sorted by their center's first coordinate.
  const keys = new Float64Array(k);
  const order = new Int32Array(k);
  const byDistance = (a: number, b: number): number => minD[b] - minD[a];
  const open = (c: number, point: number, list: Int32Array): void => {
    centers[c] = point;
    centerHead.set(head.subarray(point * h, (point + 1) * h), c * h);
    members[c] = list.sort(byDistance);
    sizes[c] = list.length;
    radius[c] = list.length > 0 ? minD[list[0]] : 0;
    tree.set(c, radius[c]);
    const key = head[point * h];
    const at = lowerBound(keys, c, key);
    keys.copyWithin(at + 1, at, c);
    order.copyWithin(at + 1, at, c);
    keys[at] = key;
    order[at] = c;
  };

  const all = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    all[p] = p;
    minD[p] = boundedDistance2(points, d, h, head, p * h, p, head, first * h, first, Infinity);
  }
  open(0, first, all);

  let moved = new Int32Array(1024);
  for (let c = 1; c < k; c++) {
    const r2 = tree.maxValue;
    if (r2 <= 0) return centers.slice(0, c);
    const point = members[tree.maxIndex][0];
    const ph = point * h;
    const key = head[ph];
    const reach = 2 * Math.sqrt(r2) * MARGIN;
    const hi = lowerBound(keys, c, key + reach + Number.MIN_VALUE);
    let nMoved = 0;
    for (let s = lowerBound(keys, c, key - reach); s < hi; s++) {
      const j = order[s];
      const rj = radius[j];
      if (rj === 0) continue;
      const bound = 4 * rj * MARGIN;
      const dc = boundedDistance2(points, d, h, head, ph, point, centerHead, j * h, centers[j], bound);
      if (dc >= bound) continue;
      // Members are sorted by minD, largest first: past the first that cannot move, none can.
      const list = members[j];
      const size = sizes[j];
      let i = 0;
      let kept = 0;
      for (; i < size; i++) {
        const p = list[i];
        const cur = minD[p];
        if (dc >= 4 * cur * MARGIN) break;
        const v = boundedDistance2(points, d, h, head, p * h, p, head, ph, point, cur);
        if (v < cur) {
          minD[p] = v;
          if (nMoved === moved.length) {
            const grown = new Int32Array(moved.length * 2);
            grown.set(moved);
            moved = grown;
          }
          moved[nMoved++] = p;
        } else {
          list[kept++] = p;
        }
      }
      if (kept < i) {
        list.copyWithin(kept, i, size);
        sizes[j] = size - (i - kept);
        radius[j] = sizes[j] > 0 ? minD[list[0]] : 0;
        tree.set(j, radius[j]);
      }
    }
    open(c, point, moved.slice(0, nMoved));
  }
  return centers;
}
