/**
 * The comment text of TPC-H (spec 4.2.2.14): sentences from a small grammar over weighted word
 * lists, concatenated into one pool. A comment of length [min, max] is a substring of the pool at a
 * random offset, as dbgen does (dbgen's pool is 300 MB; ours is smaller, so comments repeat more
 * often, but the word and phrase frequencies — what LIKE predicates select on — are the grammar's).
 */

import {
  ADJECTIVES,
  ADVERBS,
  AUXILIARIES,
  NOUNS,
  NOUN_PHRASES,
  PREPOSITIONS,
  SENTENCES,
  TERMINATORS,
  VERBS,
  VERB_PHRASES,
  type Weighted,
} from './distributions.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';
import { RandomStream } from './random.ts';

/** Size of the shared pool in characters. */
export const TEXT_POOL_SIZE = 4 * 1024 * 1024;

/** Picks from a weighted list with one draw. */
class Picker {
  private readonly words: readonly string[];
  private readonly cumulative: Int32Array;
  private readonly total: number;

  constructor(list: Weighted) {
    this.words = list.map(([w]) => w);
    this.cumulative = new Int32Array(list.length);
    let sum = 0;
    list.forEach(([, weight], i) => (this.cumulative[i] = sum += weight));
    this.total = sum;
  }

  pick(random: RandomStream): string {
    const r = random.int(1, this.total);
    let i = 0;
    while (this.cumulative[i]! < r) i++;
    return this.words[i]!;
  }
}

const nouns = new Picker(NOUNS);
const verbs = new Picker(VERBS);
const adjectives = new Picker(ADJECTIVES);
const adverbs = new Picker(ADVERBS);
const prepositions = new Picker(PREPOSITIONS);
const auxiliaries = new Picker(AUXILIARIES);
const terminators = new Picker(TERMINATORS);
const sentences = new Picker(SENTENCES);
const nounPhrases = new Picker(NOUN_PHRASES);
const verbPhrases = new Picker(VERB_PHRASES);

function nounPhrase(random: RandomStream): string {
  const form = nounPhrases.pick(random);
  switch (form) {
    case 'N':
      return nouns.pick(random);
    case 'J N':
      return `${adjectives.pick(random)} ${nouns.pick(random)}`;
    case 'J, J N':
      return `${adjectives.pick(random)}, ${adjectives.pick(random)} ${nouns.pick(random)}`;
    default:
      return `${adverbs.pick(random)} ${adjectives.pick(random)} ${nouns.pick(random)}`;
  }
}

function verbPhrase(random: RandomStream): string {
  const form = verbPhrases.pick(random);
  switch (form) {
    case 'V':
      return verbs.pick(random);
    case 'X V':
      return `${auxiliaries.pick(random)} ${verbs.pick(random)}`;
    case 'V D':
      return `${verbs.pick(random)} ${adverbs.pick(random)}`;
    default:
      return `${auxiliaries.pick(random)} ${verbs.pick(random)} ${adverbs.pick(random)}`;
  }
}

/** One sentence of the grammar, ending in its terminator. */
export function sentence(random: RandomStream): string {
  const parts: string[] = [];
  for (const symbol of sentences.pick(random).split(' ')) {
    switch (symbol) {
      case 'N':
        parts.push(nounPhrase(random));
        break;
      case 'V':
        parts.push(verbPhrase(random));
        break;
      case 'P':
        parts.push(`${prepositions.pick(random)} the ${nounPhrase(random)}`);
        break;
      default:
        return parts.join(' ') + terminators.pick(random);
    }
  }
  return parts.join(' ');
}

let pool: string | undefined;

/** The process-wide text pool (built once, identically in every worker). */
export function textPool(): string {
  if (pool !== undefined) return pool;
  const random = new RandomStream('text.pool');
  random.seek(0);
  const out: string[] = [];
  let length = 0;
  while (length < TEXT_POOL_SIZE) {
    const s = sentence(random);
    out.push(s);
    length += s.length + 1;
  }
  pool = out.join(' ').slice(0, TEXT_POOL_SIZE);
  return pool;
}

let poolBytes: Uint8Array | undefined;

/** Writes a comment of uniform length in [min, max] at a uniform offset of the pool. */
export function writeComment(out: ByteWriter, random: RandomStream, min: number, max: number): void {
  poolBytes ??= ascii(textPool());
  const length = random.int(min, max);
  const offset = random.int(0, poolBytes.length - length);
  out.bytes(poolBytes, offset, offset + length);
}
