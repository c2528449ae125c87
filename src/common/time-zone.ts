/**
 * The proleptic Gregorian calendar (as Spark 3+ has it) and time-zone offsets, for every layer that
 * turns wall-clock text into instants: functions and casts, and the CSV and JSON readers, which
 * read a timestamp written without a zone as wall-clock time of the session's zone.
 *
 * Offsets come from `Intl` (the IANA database Node carries), cached per zone and quarter hour;
 * fixed offsets (`+08:00`, `UTC-3`) need no lookup.
 */

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

/** Whether `zone` is UTC under one of its names (no conversion needed). */
export function isUtcZone(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT' || zone === 'Z' || zone === '+00:00';
}

const FIXED_RE = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** Offset of `zone` from UTC in milliseconds at the UTC instant `utcMillis`. */
export function zoneOffsetMillis(zone: string, utcMillis: number): number {
  if (isUtcZone(zone)) return 0;
  const fixed = FIXED_RE.exec(zone);
  if (fixed !== null) {
    const sign = fixed[1] === '-' ? -1 : 1;
    return sign * (Number(fixed[2]) * 3600000 + Number(fixed[3] ?? 0) * 60000);
  }
  const hourKey = `${zone}|${Math.floor(utcMillis / 900000)}`;
  const cached = offsetCache.get(hourKey);
  if (cached !== undefined) return cached;
  let fmt = formatters.get(zone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, fmt);
  }
  const base = Math.floor(utcMillis / 1000) * 1000;
  const parts = fmt.formatToParts(new Date(base));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const local =
    daysFromCivil(year, get('month'), get('day')) * 86400000 +
    get('hour') * 3600000 +
    get('minute') * 60000 +
    get('second') * 1000;
  const off = local - base;
  if (offsetCache.size > 100000) offsetCache.clear();
  offsetCache.set(hourKey, off);
  return off;
}

/**
 * Microseconds of local wall-clock time in `zone` → UTC microseconds. A local time that a
 * daylight-saving gap skips moves forward by the gap's length (as java.time's ZonedDateTime.of).
 */
export function localToUtcMicros(localMicros: bigint, zone: string): bigint {
  if (isUtcZone(zone)) return localMicros;
  const localMs = Number(localMicros / 1000n);
  const first = zoneOffsetMillis(zone, localMs);
  const off = zoneOffsetMillis(zone, localMs - first);
  if (off !== first && zoneOffsetMillis(zone, localMs - off) !== off) {
    // Neither offset holds at its instant: a gap. The offset before it places the time after it.
    return localMicros - BigInt(Math.min(first, off)) * 1000n;
  }
  return localMicros - BigInt(off) * 1000n;
}

export function utcToLocalMicros(utcMicros: bigint, zone: string): bigint {
  if (isUtcZone(zone)) return utcMicros;
  return utcMicros + BigInt(zoneOffsetMillis(zone, Number(utcMicros / 1000n))) * 1000n;
}
