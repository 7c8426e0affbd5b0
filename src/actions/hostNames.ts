/**
 * Names for `<ip-host>`, `<fq-hostname>` and `<sh-hostname>`. Looked up through the system
 * resolver (getnameinfo/getaddrinfo, so /etc/hosts counts, as with fail2ban's gethostbyaddr),
 * off the event loop, and cached: a ban burst from one network does not repeat a slow lookup.
 * An address without a name gives "None", the text fail2ban puts there.
 */
import { promises as dns } from 'node:dns';
import * as os from 'node:os';

const NO_NAME = 'None';
const MAX_CACHED = 1000;
/** fail2ban caches reverse lookups for an hour. */
const CACHE_MS = 3600_000;

export interface HostNames {
  /** Reverse DNS name of an address, "None" when it has none. */
  ipHost(ip: string): Promise<string>;
  fqHostname(): Promise<string>;
  shHostname(): string;
}

class SystemHostNames implements HostNames {
  private readonly cache = new Map<string, { name: Promise<string>; until: number }>();
  private fq: Promise<string> | undefined;

  ipHost(ip: string): Promise<string> {
    const now = Date.now();
    const hit = this.cache.get(ip);
    if (hit !== undefined && hit.until > now) return hit.name;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const name = ip === '' ? Promise.resolve(NO_NAME)
      : Promise.resolve().then(() => dns.lookupService(ip, 0)).then((r) => r.hostname, () => NO_NAME);
    this.cache.set(ip, { name, until: now + CACHE_MS });
    return name;
  }

  fqHostname(): Promise<string> {
    this.fq ??= fullyQualified(os.hostname());
    return this.fq;
  }

  shHostname(): string {
    return os.hostname();
  }
}

/** Like Python's socket.getfqdn(): the name of the host's address if it has dots, else the host name. */
async function fullyQualified(host: string): Promise<string> {
  try {
    const { address } = await dns.lookup(host);
    const { hostname } = await dns.lookupService(address, 0);
    return hostname.includes('.') ? hostname : host;
  } catch {
    return host;
  }
}

export const SYSTEM_HOST_NAMES: HostNames = new SystemHostNames();
