import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "./config-error.js";

/** ACL and authentication keys of zoo.cfg beyond superDigest (docs/SECURITY.md). */
export interface AuthConfig {
  /** skipACL=yes (zookeeper.skipACL): every ACL check passes. */
  skipAcl: boolean;
  /** java.security.auth.login.config: the JAAS file whose server section lists SASL users. */
  jaasFile: string | undefined;
  /** zookeeper.sasl.serverconfig: that section's name, "Server" by default. */
  jaasSection: string;
  /** superUser / zookeeper.superUser (and zookeeper.superUser.*): SASL names with super rights. */
  saslSuperUsers: string[];
  /** zookeeper.allowSaslFailedClients: a client whose SASL exchange fails keeps its connection. */
  allowSaslFailedClients: boolean;
  /** enforce.auth.enabled, enforce.auth.schemes and sessionRequireClientSASLAuth, as written. */
  enforce: { enabled: boolean; schemes: string[]; requireSasl: boolean };
}

/** The schemes a session can hold here, so the ones enforce.auth.schemes may name. */
export const authSchemes = ["ip", "digest", "sasl", "x509"] as const;

export function defaultAuthConfig(): AuthConfig {
  return {
    skipAcl: false,
    jaasFile: undefined,
    jaasSection: "Server",
    saslSuperUsers: [],
    allowSaslFailedClients: false,
    enforce: { enabled: false, schemes: [], requireSasl: false },
  };
}

/**
 * The schemes every session must hold one of before any request but auth and SASL is served, as
 * ZooKeeper 3.8's AuthenticationHelper: sessionRequireClientSASLAuth=true means sasl whatever the
 * enforce.auth.* keys say; undefined when nothing is enforced. A bad combination stops startup.
 */
export function enforcedAuthSchemes(auth: AuthConfig): readonly string[] | undefined {
  if (auth.enforce.requireSasl) return ["sasl"];
  if (!auth.enforce.enabled) return undefined;
  if (auth.enforce.schemes.length === 0) {
    throw new ConfigError("enforce.auth.enabled is true: enforce.auth.schemes must name at least one scheme");
  }
  for (const scheme of auth.enforce.schemes) {
    if (!(authSchemes as readonly string[]).includes(scheme)) {
      throw new ConfigError(
        `enforce.auth.schemes: authentication scheme ${scheme} is not available (${authSchemes.join(", ")})`,
      );
    }
  }
  return auth.enforce.schemes;
}

/** Applies one zoo.cfg key if it is an auth key; false otherwise. base: the zoo.cfg's directory. */
export function applyAuthKey(auth: AuthConfig, key: string, value: string, base: string): boolean {
  const name = key.startsWith("zookeeper.") ? key.slice("zookeeper.".length) : key;
  if (name === "skipACL") {
    // ZooKeeper: System.getProperty("zookeeper.skipACL", "no").equals("yes"); anything else is no.
    auth.skipAcl = value === "yes";
    return true;
  }
  if (name === "superUser" || name.startsWith("superUser.")) {
    auth.saslSuperUsers.push(value);
    return true;
  }
  if (key === "java.security.auth.login.config") {
    auth.jaasFile = resolve(base, value);
    return true;
  }
  if (/^authProvider\.\w+$/.test(name) && value.endsWith("SASLAuthenticationProvider")) {
    // ZooKeeper needs it for sasl ACLs; here the sasl scheme is always on.
    return true;
  }
  // Java's Boolean.parseBoolean, as ZooKeeper reads these system properties: only "true" is true.
  if (name === "enforce.auth.enabled") {
    auth.enforce.enabled = value.toLowerCase() === "true";
    return true;
  }
  if (name === "enforce.auth.schemes") {
    auth.enforce.schemes = value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    return true;
  }
  if (name === "allowSaslFailedClients") {
    auth.allowSaslFailedClients = value.toLowerCase() === "true";
    return true;
  }
  if (name === "sessionRequireClientSASLAuth") {
    auth.enforce.requireSasl = value.toLowerCase() === "true";
    return true;
  }
  if (name === "sasl.serverconfig") {
    auth.jaasSection = value;
    return true;
  }
  return false;
}

/** The SASL users a server accepts (DIGEST-MD5), from its JAAS section. */
export interface SaslUsers {
  /** user name → password (JAAS `user_<name>="<password>"`). */
  readonly passwords: ReadonlyMap<string, string>;
  readonly superUsers: readonly string[];
}

/** Reads the configured JAAS section's users; undefined when no JAAS file is configured. */
export function loadSaslUsers(auth: AuthConfig): SaslUsers | undefined {
  if (auth.jaasFile === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(auth.jaasFile, "utf8");
  } catch (error) {
    throw new ConfigError(
      `java.security.auth.login.config: cannot read ${auth.jaasFile}: ${(error as Error).message}`,
    );
  }
  const options = jaasSectionOptions(text, auth.jaasSection, auth.jaasFile);
  const passwords = new Map<string, string>();
  for (const [name, value] of options) if (name.startsWith("user_")) passwords.set(name.slice(5), value);
  return { passwords, superUsers: auth.saslSuperUsers };
}

/**
 * The options of one section of a JAAS login configuration (`Name { module flag key="value" ...; };`),
 * as Java's ConfigFile reads them: comments (`//`, `/* *\/`), quoted or bare values, several
 * modules per section (their options merged, as ZooKeeper looks for user_ options in each).
 */
export function jaasSectionOptions(text: string, section: string, file: string): Map<string, string> {
  const tokens = tokenize(text, file);
  let i = 0;
  const next = (what: string): string => {
    const token = tokens[i++];
    if (token === undefined) throw new ConfigError(`${file}: unexpected end, expected ${what}`);
    return token;
  };
  const sections = new Map<string, Map<string, string>>();
  while (i < tokens.length) {
    const name = next("a section name");
    if (next("{") !== "{") throw new ConfigError(`${file}: expected { after ${name}`);
    const options = new Map<string, string>();
    for (let token = next("}"); token !== "}"; token = next("}")) {
      next("a control flag"); // token is the login module class
      for (let key = next(";"); key !== ";"; key = next(";")) {
        if (next("=") !== "=") throw new ConfigError(`${file}: expected = after ${key} in ${name}`);
        options.set(key, unquote(next("a value")));
      }
    }
    if (tokens[i] === ";") i++;
    sections.set(name, options);
  }
  const found = sections.get(section);
  if (found === undefined) throw new ConfigError(`${file}: no JAAS section named ${section}`);
  return found;
}

function unquote(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, "$1") : token;
}

function tokenize(text: string, file: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\]|\\.)*"|[{};=]|[^\s{};="]+/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (m === null) throw new ConfigError(`${file}: cannot parse JAAS text at offset ${at}`);
    at = pattern.lastIndex;
    const token = m[0];
    if (/^\s/.test(token) || token.startsWith("//") || token.startsWith("/*")) continue;
    tokens.push(token);
  }
  return tokens;
}
