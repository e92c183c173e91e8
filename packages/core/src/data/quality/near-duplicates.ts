/**
 * Groups of hashes within a Hamming distance, by multi-index hashing: the 64 bits are cut
 * into `d + 1` chunks, and two hashes within distance `d` agree exactly on at least one
 * chunk (pigeonhole), so only hashes sharing a chunk value are compared. Each candidate pair
 * is compared once (in the first chunk it shares). Cost: O(n (d + 1)) to index plus one
 * 64-bit comparison per candidate pair; about (n^2 / 2) (d + 1) / 2^(64 / (d + 1)) pairs for
 * unrelated hashes (10,000 random hashes at d = 6: 630,932 candidate pairs, against 5 * 10^7
 * for all pairs), O(n^2) only when most images really are alike. Pairs become groups by union-find (connected components).
 */
import { hammingDistance } from './perceptual-hash.ts';

/** A group of indices into the hashed list, with each member's smallest distance to another member. */
export interface HashGroup {
  members: { index: number; distance: number }[];
}

function bitString(hex: string): string {
  let s = '';
  for (const c of hex) s += parseInt(c, 16).toString(2).padStart(4, '0');
  return s;
}

/**
 * Connected components of `hashes` (16 hex digits each) under "Hamming distance <= maxDistance",
 * leaving out pairs for which `skip(i, j)` is true (e.g. byte-identical files); singletons are
 * not returned. Members are sorted by index, groups by their first member.
 */
export function groupByHammingDistance(hashes: readonly string[], maxDistance: number, skip: (i: number, j: number) => boolean = () => false): HashGroup[] {
  const d = Math.max(0, Math.min(63, Math.floor(maxDistance)));
  const chunks = d + 1;
  const bounds = Array.from({ length: chunks + 1 }, (_, k) => Math.round((k * 64) / chunks));
  const bits = hashes.map(bitString);
  const parent = hashes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const best = new Array<number>(hashes.length).fill(Infinity);
  for (let k = 0; k < chunks; k++) {
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < bits.length; i++) {
      const key = bits[i].slice(bounds[k], bounds[k + 1]);
      const b = buckets.get(key);
      if (b) b.push(i);
      else buckets.set(key, [i]);
    }
    for (const b of buckets.values()) {
      for (let x = 0; x < b.length; x++) {
        for (let y = x + 1; y < b.length; y++) {
          const i = b[x];
          const j = b[y];
          let earlier = false;
          for (let c = 0; c < k && !earlier; c++) earlier = bits[i].slice(bounds[c], bounds[c + 1]) === bits[j].slice(bounds[c], bounds[c + 1]);
          if (earlier || skip(i, j)) continue;
          const dist = hammingDistance(hashes[i], hashes[j]);
          if (dist > d) continue;
          best[i] = Math.min(best[i], dist);
          best[j] = Math.min(best[j], dist);
          parent[find(i)] = find(j);
        }
      }
    }
  }
  const groups = new Map<number, HashGroup>();
  for (let i = 0; i < hashes.length; i++) {
    if (best[i] === Infinity) continue;
    const root = find(i);
    const g = groups.get(root) ?? { members: [] };
    g.members.push({ index: i, distance: best[i] });
    groups.set(root, g);
  }
  return [...groups.values()].sort((a, b) => a.members[0].index - b.members[0].index);
}
