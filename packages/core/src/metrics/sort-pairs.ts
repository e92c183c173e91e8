/**
 * The one sort behind every ranking metric. JavaScript has no fast way to sort numbers
 * together with a payload (`Float64Array.prototype.sort` moves values only, and a
 * comparator sort of an index array is ten times slower), so this is a most-significant-
 * digit bucket sort on the value range: one counting pass and one scatter pass put each
 * pair in a bucket (4096 for large ranges, so the scatter stays in cache; N/2 for small
 * ones), small buckets get an insertion sort, large ones recurse. `floor((v - min) *
 * scale)` is monotone in `v` under IEEE rounding, so buckets never break the order; when
 * most values crowd into one bucket (scores spread over many decades) the bucket is taken
 * from the exponent bits instead. bench/metrics.bench.ts times it on ten million scores
 * next to the native value-only sort.
 */

const INSERTION_LIMIT = 24;
/** After this many bucket levels (heavily clustered values) switch to a three-way quicksort. */
const MAX_BUCKET_DEPTH = 6;

/**
 * Sorts `values` ascending in place and applies the same permutation to `payload`.
 * Equal values keep no particular order; -0 and +0 compare equal. Values must not be NaN.
 * @param values [N] float64, sorted in place
 * @param payload [N] uint32, permuted in place alongside `values`
 */
export function sortPairs(values: Float64Array, payload: Uint32Array): void {
  const n = values.length;
  if (n < 2) return;
  const scratchValues = new Float64Array(n);
  const scratchPayload = new Uint32Array(n);
  sortRange(values, payload, scratchValues, scratchPayload, 0, n, 0);
}

function sortRange(
  v: Float64Array,
  p: Uint32Array,
  sv: Float64Array,
  sp: Uint32Array,
  start: number,
  end: number,
  depth: number,
): void {
  const len = end - start;
  if (len <= INSERTION_LIMIT) {
    insertionSort(v, p, start, end);
    return;
  }
  let lo = v[start];
  let hi = lo;
  for (let i = start + 1; i < end; i++) {
    const x = v[i];
    if (x < lo) lo = x;
    else if (x > hi) hi = x;
  }
  if (lo === hi) return;
  if (depth >= MAX_BUCKET_DEPTH) {
    quickSort3(v, p, start, end);
    return;
  }
  // Few buckets at the top keep the scatter inside the cache; buckets then recurse.
  const buckets = len > 65536 ? 4096 : Math.max(2, len >>> 1);
  const last = buckets - 1;
  const cursor = new Uint32Array(buckets);
  // Linear map: halving first keeps hi - lo finite even near +-Number.MAX_VALUE.
  const halfLo = lo * 0.5;
  const scale = buckets / (hi * 0.5 - halfLo);
  // Exponent map, used when values crowd into one linear bucket (e.g. scores spread over
  // many decades near 0): buckets by the top 32 bits of the IEEE pattern, also monotone.
  const keyLo = orderedHigh(lo);
  const keySpan = orderedHigh(hi) - keyLo + 1;
  const keyScale = buckets / keySpan;
  let byExponent = !Number.isFinite(scale);
  if (!byExponent) {
    let largest = 0;
    for (let i = start; i < end; i++) {
      const b = Math.floor((v[i] * 0.5 - halfLo) * scale);
      const c = ++cursor[b > last ? last : b];
      if (c > largest) largest = c;
    }
    if (largest > len >>> 2 && len > 4096 && keySpan > 1) {
      byExponent = true;
      cursor.fill(0);
    }
  }
  if (byExponent) {
    for (let i = start; i < end; i++) cursor[Math.floor((orderedHigh(v[i]) - keyLo) * keyScale)]++;
  }
  let offset = start;
  for (let b = 0; b < buckets; b++) {
    const c = cursor[b];
    cursor[b] = offset;
    offset += c;
  }
  for (let i = start; i < end; i++) {
    const x = v[i];
    let b = byExponent ? Math.floor((orderedHigh(x) - keyLo) * keyScale) : Math.floor((x * 0.5 - halfLo) * scale);
    if (b > last) b = last;
    const at = cursor[b]++;
    sv[at] = x;
    sp[at] = p[i];
  }
  v.set(sv.subarray(start, end), start);
  p.set(sp.subarray(start, end), start);
  // After the scatter, cursor[b] is the end of bucket b.
  let bucketStart = start;
  for (let b = 0; b < buckets; b++) {
    const bucketEnd = cursor[b];
    const size = bucketEnd - bucketStart;
    if (size > INSERTION_LIMIT) sortRange(v, p, sv, sp, bucketStart, bucketEnd, depth + 1);
    else if (size > 1) insertionSort(v, p, bucketStart, bucketEnd);
    bucketStart = bucketEnd;
  }
}

const word = new Float64Array(1);
const words = new Uint32Array(word.buffer);
/** Index of the 32-bit word holding sign and exponent (1 on little-endian machines). */
const HIGH = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f ? 1 : 0;

/**
 * The sign, exponent and top mantissa bits of x as an unsigned number ordered like x
 * (negative patterns flipped), so bucketing on it is monotone.
 */
function orderedHigh(x: number): number {
  word[0] = x;
  const h = words[HIGH];
  return h >= 0x80000000 ? 0xffffffff - h : h + 0x80000000;
}

function insertionSort(v: Float64Array, p: Uint32Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const x = v[i];
    const q = p[i];
    let j = i - 1;
    while (j >= start && v[j] > x) {
      v[j + 1] = v[j];
      p[j + 1] = p[j];
      j--;
    }
    v[j + 1] = x;
    p[j + 1] = q;
  }
}

/** Three-way (Dutch flag) quicksort: a long run of one repeated value is finished in one pass. */
function quickSort3(v: Float64Array, p: Uint32Array, start: number, end: number): void {
  while (end - start > INSERTION_LIMIT) {
    const a = v[start];
    const b = v[(start + end) >>> 1];
    const c = v[end - 1];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let lt = start;
    let gt = end - 1;
    let i = start;
    while (i <= gt) {
      const x = v[i];
      if (x < pivot) {
        swap(v, p, lt++, i++);
      } else if (x > pivot) {
        swap(v, p, i, gt--);
      } else {
        i++;
      }
    }
    // Recurse into the smaller side so the stack stays logarithmic.
    if (lt - start < end - gt - 1) {
      quickSort3(v, p, start, lt);
      start = gt + 1;
    } else {
      quickSort3(v, p, gt + 1, end);
      end = lt;
    }
  }
  insertionSort(v, p, start, end);
}

function swap(v: Float64Array, p: Uint32Array, i: number, j: number): void {
  const x = v[i];
  v[i] = v[j];
  v[j] = x;
  const q = p[i];
  p[i] = p[j];
  p[j] = q;
}
