/**
 * Who may connect, and how they prove it: rules in the spirit of PostgreSQL's pg_hba.conf, one per
 * line, the first that matches a connection deciding its method:
 *
 *   # TYPE     DATABASE   USER         ADDRESS          METHOD
 *   host       all        all          127.0.0.1/32     trust
 *   hostssl    tpch       alice,bob    10.0.0.0/8       scram-sha-256
 *   host       all        all          all              reject
 *
 * TYPE: `host` (any TCP connection), `hostssl` (TLS only), `hostnossl` (plain only). DATABASE and
 * USER: `all` or a comma-separated list. ADDRESS: `all`, an IP address or a CIDR block (IPv4 or
 * IPv6). METHOD: `trust`, `reject`, `password` (cleartext, for TLS connections), `md5`,
 * `scram-sha-256`. A connection no rule matches is refused. Without a rules file the default
 * trusts loopback only.
 */
import { BlockList, isIP } from 'node:net';
import { EngineError, SqlState } from '../../common/index.ts';

export type AuthMethod = 'trust' | 'reject' | 'password' | 'md5' | 'scram-sha-256';

export interface HbaRule {
  readonly type: 'host' | 'hostssl' | 'hostnossl';
  /** Null = all. */
  readonly databases: ReadonlySet<string> | null;
  readonly users: ReadonlySet<string> | null;
  /** Null = all addresses. */
  readonly addresses: BlockList | null;
  readonly addressText: string;
  readonly method: AuthMethod;
  readonly line: number;
}

export interface ConnectionFacts {
  readonly address: string;
  readonly ssl: boolean;
  readonly database: string;
  readonly user: string;
}

const METHODS: readonly AuthMethod[] = ['trust', 'reject', 'password', 'md5', 'scram-sha-256'];

export const DEFAULT_HBA = ['host all all 127.0.0.1/32 trust', 'host all all ::1/128 trust'].join('\n');

function configError(source: string, line: number, message: string): EngineError {
  return new EngineError(SqlState.invalidParameterValue, `${source}, line ${line}: ${message}`);
}

/** The address as the rules see it: an IPv4-mapped IPv6 address is its IPv4 address. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped === null ? address : mapped[1]!;
}

function family(address: string): 'ipv4' | 'ipv6' | null {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

function parseAddress(text: string, source: string, line: number): BlockList | null {
  if (text === 'all') return null;
  const list = new BlockList();
  const [ip, bitsText] = text.split('/', 2) as [string, string | undefined];
  const kind = family(ip);
  if (kind === null) throw configError(source, line, `invalid IP address "${text}"`);
  const max = kind === 'ipv4' ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > max ||
    (bitsText !== undefined && !/^\d+$/.test(bitsText))
  )
    throw configError(source, line, `invalid CIDR mask in address "${text}"`);
  list.addSubnet(ip, bits, kind);
  return list;
}

function parseNames(text: string): ReadonlySet<string> | null {
  if (text === 'all') return null;
  return new Set(text.split(',').filter((s) => s !== ''));
}

/** Parses a rules file's text; throws 22023 naming the line of the first bad rule. */
export function parseHba(text: string, source = 'hba rules'): HbaRule[] {
  const rules: HbaRule[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return;
    const fields = content.split(/\s+/);
    if (fields.length !== 5) {
      throw configError(source, line, `expected TYPE DATABASE USER ADDRESS METHOD, got "${content}"`);
    }
    const [type, db, user, address, method] = fields as [string, string, string, string, string];
    if (type !== 'host' && type !== 'hostssl' && type !== 'hostnossl') {
      throw configError(source, line, `unknown connection type "${type}" (host, hostssl or hostnossl)`);
    }
    if (!(METHODS as readonly string[]).includes(method)) {
      throw configError(source, line, `unknown method "${method}" (${METHODS.join(', ')})`);
    }
    rules.push({
      type,
      databases: parseNames(db),
      users: parseNames(user),
      addresses: parseAddress(address, source, line),
      addressText: address,
      method: method as AuthMethod,
      line,
    });
  });
  return rules;
}

/** The first rule matching the connection, or undefined (the connection is refused). */
export function matchRule(rules: readonly HbaRule[], c: ConnectionFacts): HbaRule | undefined {
  const address = normalizeAddress(c.address);
  const kind = family(address);
  return rules.find(
    (r) =>
      (r.type === 'host' || (r.type === 'hostssl') === c.ssl) &&
      (r.databases === null || r.databases.has(c.database)) &&
      (r.users === null || r.users.has(c.user)) &&
      (r.addresses === null || (kind !== null && r.addresses.check(address, kind))),
  );
}

/** Loopback: 127.0.0.0/8 and ::1. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether a listen address is loopback only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const a = normalizeAddress(host);
  const kind = family(a);
  return kind !== null && LOOPBACK.check(a, kind);
}

/**
 * Rules that let someone off this machine in without a password: trust rules whose address is not
 * inside loopback. A server listening beyond loopback refuses to start with them unless told to.
 */
export function remoteTrustRules(rules: readonly HbaRule[]): HbaRule[] {
  return rules.filter((r) => {
    if (r.method !== 'trust') return false;
    if (r.addresses === null) return true;
    const [ip, bits] = r.addressText.split('/', 2) as [string, string | undefined];
    const kind = family(ip)!;
    const inside =
      kind === 'ipv4'
        ? LOOPBACK.check(ip, 'ipv4') && (bits === undefined || Number(bits) >= 8)
        : ip === '::1' && (bits === undefined || bits === '128');
    return !inside;
  });
}
