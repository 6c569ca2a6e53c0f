/**
 * Fixed-width user bitsets: bit i stands for user index i. With 10^4 users a set is 313 words, so the
 * engine combines whole policy populations with a few hundred word operations instead of 10^4 checks.
 */
export type Bitset = Uint32Array;

export const wordsFor = (bits: number): number => (bits + 31) >>> 5;

export const emptySet = (words: number): Bitset => new Uint32Array(words);

export function hasBit(set: Bitset, i: number, base = 0): boolean {
  return ((set[base + (i >>> 5)] ?? 0) & (1 << (i & 31))) !== 0;
}

export function setBit(set: Bitset, i: number, base = 0): void {
  const w = base + (i >>> 5);
  set[w] = (set[w] ?? 0) | (1 << (i & 31));
}

export function clearBit(set: Bitset, i: number, base = 0): void {
  const w = base + (i >>> 5);
  set[w] = (set[w] ?? 0) & ~(1 << (i & 31));
}

export function assignBit(set: Bitset, i: number, on: boolean, base = 0): void {
  if (on) setBit(set, i, base);
  else clearBit(set, i, base);
}

/** target &= other */
export function andInto(target: Bitset, other: Bitset): void {
  for (let w = 0; w < target.length; w++) target[w] = target[w]! & other[w]!;
}

/** target |= other */
export function orInto(target: Bitset, other: Bitset): void {
  for (let w = 0; w < target.length; w++) target[w] = target[w]! | other[w]!;
}

/** Copies `src` into `dst` at word offset `base` (a row of a matrix). */
export function writeRow(dst: Uint32Array, base: number, src: Bitset): void {
  dst.set(src, base);
}

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function count(set: Bitset): number {
  let n = 0;
  for (let w = 0; w < set.length; w++) n += popcount32(set[w]!);
  return n;
}

/** |a ∧ ¬b| without allocating. */
export function countAndNot(a: Bitset, b: Bitset): number {
  let n = 0;
  for (let w = 0; w < a.length; w++) n += popcount32(a[w]! & ~b[w]!);
  return n;
}

/** Indices of set bits in row [base, base + words), ascending. */
export function indicesOf(set: Uint32Array, base = 0, words = set.length - base): number[] {
  const out: number[] = [];
  for (let w = 0; w < words; w++) {
    let x = set[base + w]!;
    while (x !== 0) {
      const low = x & -x;
      out.push((w << 5) + (31 - Math.clz32(low)));
      x ^= low;
    }
  }
  return out;
}
