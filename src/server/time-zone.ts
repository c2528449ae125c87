/**
 * UTC offsets of a named time zone (the session's `TimeZone`), for rendering `timestamptz` values.
 * Offsets come from Intl and are cached per 15-minute slot of UTC time, so a column of timestamps
 * costs one Map lookup per row.
 */

const SLOT_SECONDS = 900;
const MAX_CACHE = 100_000;
/** Intl is asked about instants in this range only; outside it the nearest edge's offset is used. */
const MIN_SECONDS = Date.UTC(1800, 0, 1) / 1000;
const MAX_SECONDS = Date.UTC(2400, 0, 1) / 1000;

export class ZoneOffsets {
  readonly name: string;
  private readonly format: Intl.DateTimeFormat | null;
  private readonly cache = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
    this.format = ZoneOffsets.formatFor(name);
  }

  private static formatFor(name: string): Intl.DateTimeFormat | null {
    const upper = name.toUpperCase();
    if (
      upper === 'UTC' ||
      upper === 'GMT' ||
      upper === 'ETC/UTC' ||
      upper === 'Z' ||
      upper === 'ZULU' ||
      name === ''
    )
      return null;
    try {
      return new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      return null;
    }
  }

  /** True when the zone is UTC (or unknown to Intl, which then renders as UTC). */
  get isUtc(): boolean {
    return this.format === null;
  }

  /** Offset from UTC, in seconds, in effect at `utcSeconds` since the epoch. */
  offsetAt(utcSeconds: number): number {
    const format = this.format;
    if (format === null) return 0;
    const clamped =
      utcSeconds < MIN_SECONDS ? MIN_SECONDS : utcSeconds > MAX_SECONDS ? MAX_SECONDS : utcSeconds;
    const slot = Math.floor(clamped / SLOT_SECONDS);
    const hit = this.cache.get(slot);
    if (hit !== undefined) return hit;
    const at = slot * SLOT_SECONDS;
    const parts = format.formatToParts(new Date(at * 1000));
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const p of parts) {
      switch (p.type) {
        case 'year':
          year = Number(p.value);
          break;
        case 'month':
          month = Number(p.value);
          break;
        case 'day':
          day = Number(p.value);
          break;
        case 'hour':
          hour = Number(p.value);
          break;
        case 'minute':
          minute = Number(p.value);
          break;
        case 'second':
          second = Number(p.value);
          break;
        case 'era':
          bc = p.value.startsWith('B');
          break;
        default:
          break;
      }
    }
    const d = new Date(0);
    d.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    d.setUTCHours(hour, minute, second, 0);
    const offset = Math.round(d.getTime() / 1000 - at);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(slot, offset);
    return offset;
  }
}
