import { getCiphers, type SecureContextOptions } from "node:tls";

/**
 * ZooKeeper's ssl.protocol, ssl.enabledProtocols and ssl.ciphersuites (and their ssl.quorum.*
 * twins), turned into Node's minVersion, maxVersion and ciphers. The names are Java's: protocol
 * names as TLSv1.2, cipher suites by their IANA names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
 * which OpenSSL spells differently for TLS 1.2 (ECDHE-RSA-AES128-GCM-SHA256).
 */
export interface TlsProtocolConfig {
  /** ssl.protocol: the one version offered when ssl.enabledProtocols is unset. */
  protocol: TlsVersion | undefined;
  /** ssl.enabledProtocols: the versions accepted. */
  enabledProtocols: TlsVersion[] | undefined;
  /** ssl.ciphersuites, IANA names in the order given. */
  cipherSuites: string[] | undefined;
}

export type TlsVersion = "TLSv1.2" | "TLSv1.3";
const versions: readonly TlsVersion[] = ["TLSv1.2", "TLSv1.3"];

/**
 * ZooKeeper 3.9's default suites (X509Util: the TLS 1.3 suites, then ECDHE with GCM, then ECDHE
 * with CBC). Node's own default also offers RSA key exchange and DHE, which ZooKeeper does not.
 */
export const zookeeperDefaultSuites: readonly string[] = [
  "TLS_AES_256_GCM_SHA384",
  "TLS_AES_128_GCM_SHA256",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
];

export function defaultTlsProtocolConfig(): TlsProtocolConfig {
  return { protocol: undefined, enabledProtocols: undefined, cipherSuites: undefined };
}

function version(key: string, value: string, one = value): TlsVersion {
  const v = one.trim();
  if ((versions as readonly string[]).includes(v)) return v as TlsVersion;
  throw new Error(
    `zoo.cfg: ${key}=${value}: ${v} is not offered (only ${versions.join(" and ")}; older versions are insecure and refused, as Java 17 does by default)`,
  );
}

/** Applies ssl.protocol, ssl.enabledProtocols or ssl.ciphersuites (key already without prefixes). */
export function applyTlsProtocolKey(
  t: TlsProtocolConfig,
  key: string,
  rawKey: string,
  value: string,
): boolean {
  switch (key) {
    case "protocol":
      t.protocol = version(rawKey, value);
      return true;
    case "enabledProtocols":
      t.enabledProtocols = list(value).map((v) => version(rawKey, value, v));
      if (t.enabledProtocols.length === 0) throw new Error(`zoo.cfg: ${rawKey} is empty`);
      return true;
    case "ciphersuites": {
      const suites = list(value);
      if (suites.length === 0) throw new Error(`zoo.cfg: ${rawKey} is empty`);
      for (const suite of suites) openSslName(rawKey, suite);
      t.cipherSuites = suites;
      return true;
    }
    default:
      return false;
  }
}

const list = (value: string): string[] =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

const keyExchanges: Record<string, string> = {
  ECDHE_ECDSA: "ECDHE-ECDSA-",
  ECDHE_RSA: "ECDHE-RSA-",
  DHE_RSA: "DHE-RSA-",
  DHE_DSS: "DHE-DSS-",
  RSA: "",
};

/**
 * The OpenSSL name of an IANA cipher suite name; TLS 1.3 suites keep theirs (Node takes them in
 * `ciphers` as they are). A suite this OpenSSL does not have is a startup error naming it.
 */
export function openSslName(key: string, suite: string): string {
  if (/^TLS_(AES_\d+_GCM|CHACHA20_POLY1305|AES_128_CCM)(_8)?_SHA\d+$/.test(suite)) return suite;
  const m =
    /^TLS_(ECDHE_ECDSA|ECDHE_RSA|DHE_RSA|DHE_DSS|RSA)_WITH_(AES_(128|256)_(GCM|CBC)|CHACHA20_POLY1305)_(SHA\d*)$/.exec(
      suite,
    );
  let name: string | undefined;
  if (m !== null) {
    const [, kx, cipher, bits, mode, mac] = m;
    const body =
      cipher === "CHACHA20_POLY1305"
        ? "CHACHA20-POLY1305"
        : mode === "GCM"
          ? `AES${bits}-GCM-${mac}`
          : `AES${bits}-${mac}`;
    name = `${keyExchanges[kx!]}${body}`;
  }
  if (name === undefined || !getCiphers().includes(name.toLowerCase()))
    throw new Error(`zoo.cfg: ${key}: cipher suite ${suite} is not known to this server's OpenSSL`);
  return name;
}

/** Node's options for the settings (ZooKeeper 3.9's defaults where unset). */
export function tlsProtocolOptions(
  t: TlsProtocolConfig,
  prefix: string,
): Pick<SecureContextOptions, "minVersion" | "maxVersion" | "ciphers"> {
  // ssl.protocol alone enables just that version (ZooKeeper 3.9 on Java 17 with TLSv1.2 or 1.3).
  // Neither set: both, so clients of ZooKeeper 3.8 (TLS 1.2 by default) and 3.9 (1.3) connect.
  const enabled = t.enabledProtocols ?? (t.protocol === undefined ? versions : [t.protocol]);
  const suites = t.cipherSuites ?? zookeeperDefaultSuites;
  const ciphers = suites.map((s) => openSslName(`${prefix}.ciphersuites`, s));
  // Without a TLS 1.3 suite Java cannot agree on 1.3, while Node would use its own 1.3 suites:
  // leave 1.3 out, as Java does.
  const has13 = ciphers.some((c) => c.startsWith("TLS_"));
  const sorted = [...new Set(enabled)].filter((v) => v !== "TLSv1.3" || has13).sort();
  if (sorted.length === 0)
    throw new Error(`${prefix}.enabledProtocols=TLSv1.3 needs a TLS 1.3 suite in ${prefix}.ciphersuites`);
  return { minVersion: sorted[0], maxVersion: sorted[sorted.length - 1], ciphers: ciphers.join(":") };
}
