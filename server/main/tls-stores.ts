import { execFileSync } from "node:child_process";
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import {
  applyTlsProtocolKey,
  defaultTlsProtocolConfig,
  type TlsProtocolConfig,
  tlsProtocolOptions,
} from "./tls-protocols.js";

/** ZooKeeper's ssl.* keys for the secure client port (zoo.cfg, or with the `zookeeper.` prefix). */
export interface SslConfig {
  keyStoreLocation: string | undefined;
  keyStorePassword: string | undefined;
  keyStoreType: string | undefined;
  trustStoreLocation: string | undefined;
  trustStorePassword: string | undefined;
  trustStoreType: string | undefined;
  /** ssl.clientAuth: none, want or need (ZooKeeper's default: need). */
  clientAuth: ClientAuth;
  /** client.certReload: re-read the stores when their files change (Paddock's default: true). */
  certReload: boolean;
  /** X509AuthenticationProvider.superUser: the certificate subject DN that holds super rights. */
  x509SuperUser: string | undefined;
  /** ssl.protocol, ssl.enabledProtocols, ssl.ciphersuites. */
  tls: TlsProtocolConfig;
}

export type ClientAuth = "none" | "want" | "need";

export function defaultSslConfig(): SslConfig {
  return {
    keyStoreLocation: undefined,
    keyStorePassword: undefined,
    keyStoreType: undefined,
    trustStoreLocation: undefined,
    trustStorePassword: undefined,
    trustStoreType: undefined,
    clientAuth: "need",
    certReload: true,
    x509SuperUser: undefined,
    tls: defaultTlsProtocolConfig(),
  };
}

/**
 * Applies one TLS key if it is one; false for any other key. ZooKeeper turns unknown zoo.cfg keys
 * into `zookeeper.`-prefixed system properties, so both spellings are accepted.
 */
export function applySslKey(ssl: SslConfig, rawKey: string, value: string, base: string): boolean {
  const key = rawKey.startsWith("zookeeper.") ? rawKey.slice("zookeeper.".length) : rawKey;
  if (key.startsWith("ssl.") && applyTlsProtocolKey(ssl.tls, key.slice("ssl.".length), rawKey, value))
    return true;
  switch (key) {
    case "ssl.keyStore.location":
      ssl.keyStoreLocation = resolve(base, value);
      return true;
    case "ssl.keyStore.password":
      ssl.keyStorePassword = value;
      return true;
    case "ssl.keyStore.type":
      ssl.keyStoreType = value;
      return true;
    case "ssl.trustStore.location":
      ssl.trustStoreLocation = resolve(base, value);
      return true;
    case "ssl.trustStore.password":
      ssl.trustStorePassword = value;
      return true;
    case "ssl.trustStore.type":
      ssl.trustStoreType = value;
      return true;
    case "ssl.clientAuth": {
      const mode = value.toLowerCase();
      if (mode !== "none" && mode !== "want" && mode !== "need")
        throw new Error(`zoo.cfg: ${rawKey}=${value} must be none, want or need`);
      ssl.clientAuth = mode;
      return true;
    }
    case "client.certReload":
      ssl.certReload = /^(true|yes)$/i.test(value);
      return true;
    case "X509AuthenticationProvider.superUser":
      ssl.x509SuperUser = value;
      return true;
    case "ssl.authProvider":
      if (value !== "x509") throw new Error(`zoo.cfg: ${rawKey}=${value}: only the x509 provider exists`);
      return true;
    case "ssl.hostnameVerification":
    case "serverCnxnFactory":
    case "clientCnxnSocket":
      // Accepted for zoo.cfg compatibility: TLS needs no Netty factory here, and the server does
      // not check a client certificate's names against the client's address (docs/SECURITY.md).
      return true;
    default:
      // authProvider.N=...X509AuthenticationProvider: x509 is always on for verified certificates.
      return /^authProvider\.\w+$/.test(key) && value.endsWith("X509AuthenticationProvider");
  }
}

type StoreType = "PEM" | "PKCS12";

const JKS_MAGIC = 0xfeedfeed;

/** Which key family a store belongs to: the secure client port's, or sslQuorum's. */
export type StorePrefix = "ssl" | "ssl.quorum";

/** The store's type: ssl.*.type, else the file name's extension, as ZooKeeper's KeyStoreFileType. */
function storeType(
  what: "keyStore" | "trustStore",
  location: string,
  explicit: string | undefined,
  prefix: StorePrefix,
): StoreType {
  const bytes = readFileSync(location);
  const named = explicit?.toUpperCase() ?? extensionType(location);
  if (named === "JKS" || (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC)) {
    const p12 = location.replace(/\.jks$/i, "") + ".p12";
    throw new Error(
      `${prefix}.${what}.location: ${location} is a JKS store, which Paddock cannot read; convert it to PKCS12 with ` +
        `keytool -importkeystore -srckeystore ${location} -srcstoretype JKS -destkeystore ${p12} -deststoretype PKCS12 ` +
        `and set ${prefix}.${what}.location=${p12}, ${prefix}.${what}.type=PKCS12`,
    );
  }
  if (named === "PEM" || named === "PKCS12") return named;
  if (named === undefined)
    throw new Error(
      `${prefix}.${what}.location: cannot tell the type of ${location} from its name: set ${prefix}.${what}.type to PEM or PKCS12`,
    );
  throw new Error(`${prefix}.${what}.type=${named}: Paddock reads PEM and PKCS12 stores (not ${named})`);
}

function extensionType(location: string): string | undefined {
  const ext = /\.([^./]+)$/.exec(location)?.[1]?.toLowerCase();
  if (ext === "pem" || ext === "crt" || ext === "cer") return "PEM";
  if (ext === "p12" || ext === "pfx" || ext === "pkcs12") return "PKCS12";
  if (ext === "jks") return "JKS";
  if (ext === "bcfks") return "BCFKS";
  return undefined;
}

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The certificates of a PKCS12 trust store, as PEM. Node reads a PKCS12 only with a private key in
 * it (`pfx`), and a trust store has none, so the `openssl` command extracts the certificates
 * (`-legacy` on a second try, for stores encrypted with RC2 as older keytools wrote them).
 */
function pkcs12Certificates(location: string, password: string, prefix: StorePrefix): string {
  const run = (legacy: boolean): string =>
    execFileSync(
      "openssl",
      [
        "pkcs12",
        ...(legacy ? ["-legacy"] : []),
        "-in",
        location,
        "-nokeys",
        "-passin",
        "env:PADDOCK_STORE_PASSWORD",
      ],
      { env: { ...process.env, PADDOCK_STORE_PASSWORD: password }, stdio: ["ignore", "pipe", "pipe"] },
    ).toString("utf8");
  let text: string;
  try {
    text = run(false);
  } catch {
    try {
      text = run(true);
    } catch (error) {
      const why = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
      throw new Error(
        `${prefix}.trustStore.location: cannot read the PKCS12 trust store ${location} (wrong ${prefix}.trustStore.password, or no openssl command): ${why}; ` +
          `or give a PEM trust store: openssl pkcs12 -in ${location} -nokeys -out truststore.pem`,
      );
    }
  }
  const certificates = text.match(CERTIFICATE_PEM) ?? [];
  if (certificates.length === 0)
    throw new Error(`${prefix}.trustStore.location: ${location} holds no certificate`);
  return `${certificates.join("\n")}\n`;
}

/**
 * Reads the key store (and trust store, if set) into the options of tls.createSecureContext, and
 * checks them by building a context: a wrong password or a key that does not match its
 * certificate fails at startup (or at reload), naming the file.
 */
export function secureContextOptions(ssl: SslConfig, prefix: StorePrefix = "ssl"): SecureContextOptions {
  const keyStore = ssl.keyStoreLocation;
  if (keyStore === undefined)
    throw new Error(
      `${prefix === "ssl" ? "secureClientPort" : "sslQuorum"} needs ${prefix}.keyStore.location`,
    );
  const options: SecureContextOptions = { ...tlsProtocolOptions(ssl.tls, prefix) };
  const keyType = storeType("keyStore", keyStore, ssl.keyStoreType, prefix);
  if (keyType === "PKCS12") {
    options.pfx = readFileSync(keyStore);
  } else {
    // ZooKeeper's PEM key store: the private key and the certificate chain in one file.
    const text = readFileSync(keyStore, "utf8");
    options.key = text;
    options.cert = (text.match(CERTIFICATE_PEM) ?? []).join("\n");
    if (options.cert === "") throw new Error(`${prefix}.keyStore.location: ${keyStore} holds no certificate`);
  }
  if (ssl.keyStorePassword !== undefined && ssl.keyStorePassword !== "")
    options.passphrase = ssl.keyStorePassword;
  const trustStore = ssl.trustStoreLocation;
  if (trustStore !== undefined) {
    options.ca =
      storeType("trustStore", trustStore, ssl.trustStoreType, prefix) === "PKCS12"
        ? pkcs12Certificates(trustStore, ssl.trustStorePassword ?? "", prefix)
        : readFileSync(trustStore, "utf8");
  }
  try {
    createSecureContext(options);
  } catch (error) {
    throw new Error(`${prefix}.keyStore.location ${keyStore}: ${(error as Error).message}`);
  }
  return options;
}

/**
 * Watches the store files (their directories, so a file replaced by rename is seen too) and calls
 * `changed` once per burst of changes, 200 ms after the last. Returns the stop function.
 */
export function watchStores(ssl: SslConfig, changed: () => void): () => void {
  const files = [ssl.keyStoreLocation, ssl.trustStoreLocation].filter((f): f is string => f !== undefined);
  const byDir = new Map<string, Set<string>>();
  for (const file of files) {
    const names = byDir.get(dirname(file)) ?? new Set<string>();
    names.add(basename(file));
    byDir.set(dirname(file), names);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    const watcher = watch(dir, (_event, name) => {
      if (name !== null && !names.has(name.toString())) return;
      clearTimeout(timer);
      timer = setTimeout(changed, 200);
    });
    watcher.on("error", () => watcher.close());
    watchers.push(watcher);
  }
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
