import { createSecureContext, type SecureContextOptions } from "node:tls";
import { type ChannelCredentials, credentials, ServerCredentials } from "@grpc/grpc-js";
import {
  applySslKey,
  defaultSslConfig,
  type SslConfig,
  secureContextOptions,
  watchStores,
} from "./tls-stores.js";

/** sslQuorum and ZooKeeper's ssl.quorum.* keys: mutual TLS between ensemble members. */
export interface QuorumTlsConfig {
  /** sslQuorum: every peer stream is mutual TLS (default false). */
  enabled: boolean;
  /** sslQuorumReloadCertFiles: re-read the quorum stores when their files change (default false, as ZooKeeper). */
  reloadCertFiles: boolean;
  /** ssl.quorum.hostnameVerification: check a dialed member's certificate against its server.N host (default true). */
  hostnameVerification: boolean;
  /** ssl.quorum.keyStore.* and ssl.quorum.trustStore.* (clientAuth is always need between members). */
  stores: SslConfig;
}

export function defaultQuorumTlsConfig(): QuorumTlsConfig {
  return { enabled: false, reloadCertFiles: false, hostnameVerification: true, stores: defaultSslConfig() };
}

function flag(key: string, value: string): boolean {
  if (/^(true|yes)$/i.test(value)) return true;
  if (/^(false|no)$/i.test(value)) return false;
  throw new Error(`zoo.cfg: ${key}=${value} must be true or false`);
}

/** Applies one sslQuorum key if it is one (with or without the `zookeeper.` prefix); false otherwise. */
export function applyQuorumTlsKey(q: QuorumTlsConfig, rawKey: string, value: string, base: string): boolean {
  const key = rawKey.startsWith("zookeeper.") ? rawKey.slice("zookeeper.".length) : rawKey;
  switch (key) {
    case "sslQuorum":
      q.enabled = flag(rawKey, value);
      return true;
    case "sslQuorumReloadCertFiles":
      q.reloadCertFiles = flag(rawKey, value);
      return true;
    case "ssl.quorum.hostnameVerification":
      q.hostnameVerification = flag(rawKey, value);
      return true;
    case "ssl.quorum.clientAuth":
      // Members always verify each other; ZooKeeper's quorum TLS does the same by default.
      if (value.toLowerCase() !== "need")
        throw new Error(`zoo.cfg: ${rawKey}=${value}: members always present and verify certificates (need)`);
      return true;
    default: {
      const store =
        /^ssl\.quorum\.((?:keyStore|trustStore)\.(?:location|password|type)|protocol|enabledProtocols|ciphersuites)$/.exec(
          key,
        )?.[1];
      return store !== undefined && applySslKey(q.stores, `ssl.${store}`, value, base);
    }
  }
}

/** The peer listener's credentials: asks for and verifies the dialer's certificate; reloadable. */
class QuorumServerCredentials extends ServerCredentials {
  constructor(context: SecureContextOptions) {
    super({ requestCert: true, rejectUnauthorized: true }, context);
  }

  update(context: SecureContextOptions): void {
    this.updateSecureContextOptions(context);
  }

  override _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

export interface QuorumCredentials {
  readonly server: ServerCredentials;
  /** For each dial: presents this member's certificate, verifies the listener's (and its name). */
  channel(): ChannelCredentials;
  /** Stops watching the store files. */
  close(): void;
}

/**
 * Reads the quorum stores (a bad store fails startup, naming the file) into the credentials of
 * the peer listener and of each dial. With sslQuorumReloadCertFiles the stores are read again
 * when their files change: new streams use the new certificates, open ones keep theirs; a store
 * that fails to load is logged and the previous one kept.
 */
export function quorumCredentials(
  config: QuorumTlsConfig,
  log: (level: "info" | "warn", message: string) => void,
): QuorumCredentials {
  let context = secureContextOptions(config.stores, "ssl.quorum");
  const server = new QuorumServerCredentials(context);
  const verify = config.hostnameVerification ? {} : { checkServerIdentity: () => undefined };
  const reload = (): void => {
    try {
      context = secureContextOptions(config.stores, "ssl.quorum");
      server.update(context);
      log("info", `sslQuorum: reloaded ${config.stores.keyStoreLocation} and the trust store`);
    } catch (error) {
      log("warn", `sslQuorum: keeping the previous certificates: ${(error as Error).message}`);
    }
  };
  const stopWatching = config.reloadCertFiles ? watchStores(config.stores, reload) : () => {};
  return {
    server,
    channel: () => credentials.createFromSecureContext(createSecureContext(context), verify),
    close: stopWatching,
  };
}
