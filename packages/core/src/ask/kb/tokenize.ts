/**
 * Tokenisation shared by indexing and querying the knowledge base. The same function runs
 * on both sides, so what matters most is that it is consistent; it is deliberately light:
 *
 * - Unicode NFKD, combining marks removed, lower case ("Porosité" -> "porosite");
 * - split on anything that is not a letter or a digit, which also splits snake_case and
 *   kebab-case labels ("lack_of_fusion" -> "lack", "of", "fusion"), so a class name as a
 *   model spells it finds prose that writes it out;
 * - English stop words and hedges ("usually", "often") dropped: they carry no evidence, and a
 *   hedge in a question would otherwise favour whichever passage happens to hedge;
 * - a light suffix stemmer (plurals, "-ing", "-ed", a doubled final consonant, "-ity", a final "e"), so that
 *   "scratches", "cracking", "spotted" and "severe" meet "scratch", "crack", "spot" and "severity". A full Porter
 *   stemmer conflates too much in a small technical vocabulary ("porosity" / "porous",
 *   "general" / "generate"); the residue is left to prefix and fuzzy matching at query time.
 */

const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its ' +
    'me my no not of on or our so than that the their them then there these they this those to was we were what ' +
    'when where which while who why will with would you your usually typically often generally'
  ).split(' '),
);

/** Splits `text` into raw words: NFKD, combining marks removed, lower case, split on non-alphanumerics. */
export function kbWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

const VOWEL = /[aeiouy]/;

/**
 * Light English stemmer: plural and verb suffixes, then "-ity" and a final "e", so that
 * "scratches" -> "scratch", "porosities" and "porosity" -> "poros", "cracked" -> "crack",
 * "spotting" -> "spot", "causes" and "causing" -> "caus", "severe" and "severity" -> "sever".
 * Words of four letters or fewer are kept as they are.
 */
export function lightStem(word: string): string {
  if (word.length <= 4 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 5) w = `${w.slice(0, -3)}y`;
  else if (/(ches|shes|sses|xes|zes)$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  else if (w.endsWith('ing') && w.length > 6 && VOWEL.test(w.slice(0, -3))) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length > 5 && VOWEL.test(w.slice(0, -2))) w = undouble(w.slice(0, -2));
  if (w.endsWith('ity') && w.length > 6) w = w.slice(0, -3);
  else if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

/** "spott" -> "spot"; keeps "ll", "ss", "zz" ("fill", "pass"). */
function undouble(w: string): string {
  const n = w.length;
  if (n >= 3 && w[n - 1] === w[n - 2] && !/[lsz]/.test(w[n - 1]) && !VOWEL.test(w[n - 1])) return w.slice(0, -1);
  return w;
}

/** The term indexed for one word of {@link kbWords}: null for a stop word, else {@link lightStem}. */
export function kbTerm(word: string): string | null {
  return STOP_WORDS.has(word) ? null : lightStem(word);
}

/** The terms indexed and searched for `text`: {@link kbWords}, then {@link kbTerm}. */
export function kbTerms(text: string): string[] {
  return kbWords(text)
    .map(kbTerm)
    .filter((t): t is string => t !== null);
}
