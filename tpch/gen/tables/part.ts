/** part: SF * 200,000 rows; p_name is five distinct colors, p_retailprice follows the key. */

import { COLORS, CONTAINERS, PART_TYPES } from '../distributions.ts';
import { formatMoney } from '../format.ts';
import { RandomStream } from '../random.ts';
import { retailPriceCents, type Scale } from '../scale.ts';
import { comment } from '../text-pool.ts';

const names = new RandomStream('p_name');
const mfgr = new RandomStream('p_mfgr');
const brand = new RandomStream('p_brand');
const type = new RandomStream('p_type');
const size = new RandomStream('p_size');
const container = new RandomStream('p_container');
const comments = new RandomStream('p_comment');

const streams = [names, mfgr, brand, type, size, container, comments];
const picked = new Int32Array(5);

/** Five distinct color words separated by spaces. */
function partName(): string {
  let name = '';
  for (let n = 0; n < 5; n++) {
    let c: number;
    let fresh: boolean;
    do {
      c = names.int(0, COLORS.length - 1);
      fresh = true;
      for (let j = 0; j < n; j++) if (picked[j] === c) fresh = false;
    } while (!fresh);
    picked[n] = c;
    name += (n === 0 ? '' : ' ') + COLORS[c]!;
  }
  return name;
}

export function partRows(_scale: Scale, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    for (const s of streams) s.seek(i);
    const key = i + 1;
    const m = mfgr.int(1, 5);
    out +=
      `${key}|${partName()}|Manufacturer#${m}|Brand#${m}${brand.int(1, 5)}|` +
      `${PART_TYPES[type.int(0, PART_TYPES.length - 1)]!}|${size.int(1, 50)}|` +
      `${CONTAINERS[container.int(0, CONTAINERS.length - 1)]!}|` +
      `${formatMoney(retailPriceCents(key))}|${comment(comments, 5, 22)}|\n`;
  }
  return out;
}
