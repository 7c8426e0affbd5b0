/**
 * fail2ban's regex tags (<HOST>, <ADDR>, <F-USER>…</F-USER>, <SKIPLINES>…) expanded into
 * Python named groups. The expansions must be the ones fail2ban uses, because the group
 * names (ip4, ip6, dns, fid, user, …) are how failures are identified.
 */

const IP4 = String.raw`(?:\d{1,3}\.){3}\d{1,3}`;
const IP6 = String.raw`(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)`;
const G_IP4 = String.raw`(?:::f{4,6}:)?(?P<ip4>${IP4})`;
const G_IP6 = `(?P<ip6>${IP6})`;
const G_DNS = String.raw`(?P<dns>[\w\-.^_]*\w)`;
const G_CIDR = String.raw`(?P<cidr>\d+)`;
const G_ADDR = String.raw`\[?(?:${G_IP4}|${G_IP6})\]?`;
const G_HOST = `(?:${G_ADDR}|${G_DNS})`;
const G_SUBNET = String.raw`\[?(?:${G_IP4}|${G_IP6})(?:/${G_CIDR})?\]?`;

const FIXED: Readonly<Record<string, string>> = Object.freeze({
  'IP4': G_IP4, 'F-IP4/': G_IP4,
  'IP6': G_IP6, 'F-IP6/': G_IP6,
  'ADDR': G_ADDR, 'F-ADDR/': G_ADDR,
  'CIDR': G_CIDR, 'F-CIDR/': G_CIDR,
  'SUBNET': G_SUBNET, 'F-SUBNET/': G_SUBNET,
  'DNS': G_DNS, 'F-DNS/': G_DNS,
  'F-ID/': String.raw`(?P<fid>\S+)`,
  'F-PORT/': String.raw`(?P<fport>\w+)`,
});

/** Tag names whose group gets a different name. */
const RENAME: Readonly<Record<string, string>> = Object.freeze({ id: 'fid', port: 'fport' });

/** Python group name for a custom tag name (F-USER → user, F-ID → fid). */
export function groupNameOf(tag: string): string {
  const n = tag.toLowerCase();
  return RENAME[n] ?? n;
}

const TAG = /<\/?[\p{L}\p{N}_\-]+\/?>/gu;
const CUSTOM = /^(\/?)F-([A-Z0-9_-]+)$/;

export interface ExpandOptions {
  /** usedns = no: <HOST> cannot match host names (it becomes <ADDR>). */
  readonly noDns?: boolean;
}

/** Expand fail2ban tags in a Python pattern; unknown tags stay literal text. */
export function expandHostTags(pattern: string, opts: ExpandOptions = {}): string {
  const open = new Set<string>();
  let skip = 0;
  return pattern.replace(TAG, (tag) => {
    const name = tag.slice(1, -1);
    if (name === 'HOST') return opts.noDns ? G_ADDR : G_HOST;
    if (name === 'SKIPLINES') return String.raw`\n(?P<skiplines${skip++}>(?:(?:.*\n)*?))`;
    const fixed = FIXED[name];
    if (fixed !== undefined) return fixed;
    const m = CUSTOM.exec(name);
    if (m === null) return tag;
    const id = m[2]!;
    if (m[1] === '/') return open.has(id) ? ')' : tag;
    open.add(id);
    return `(?P<${groupNameOf(id)}>`;
  });
}

/** Groups that identify a failure; a failregex (or its prefregex) needs one of them. */
export const FAILURE_ID_GROUPS: readonly string[] = Object.freeze(['fid', 'ip4', 'ip6', 'dns', 'mlfid']);
