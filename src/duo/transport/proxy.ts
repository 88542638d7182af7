/**
 * Proxy choice per host: explicit config wins, else HTTPS_PROXY/https_proxy, with NO_PROXY/no_proxy
 * (comma-separated; `*`, exact names, `.suffix` or `suffix` matching subdomains; ports ignored).
 */
export interface ProxyConfig {
  url: string;
  noProxy?: readonly string[];
}

export function proxyFromEnv(env: Readonly<Record<string, string | undefined>>): ProxyConfig | undefined {
  const url = env['HTTPS_PROXY'] ?? env['https_proxy'];
  if (url === undefined || url.trim() === '') return undefined;
  const noProxy = (env['NO_PROXY'] ?? env['no_proxy'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return { url: url.trim(), noProxy };
}

export function bypassesProxy(hostname: string, noProxy: readonly string[] = []): boolean {
  const host = hostname.toLowerCase();
  return noProxy.some((raw) => {
    const entry = raw.toLowerCase().replace(/:\d+$/, '');
    if (entry === '*') return true;
    const bare = entry.replace(/^\*?\./, '');
    return host === bare || host.endsWith('.' + bare);
  });
}
