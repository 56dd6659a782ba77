// DigestMd5Server: the server side of SASL DIGEST-MD5 (RFC 2831, qop=auth only), as ZooKeeper's
// server runs it through Java's DigestMD5Server.
import { createHash, randomBytes } from "node:crypto";

/** ZooKeeper's fixed DIGEST-MD5 protocol and server name: the realm, and digest-uri "zookeeper/zk-sasl-md5". */
export const SASL_PROTOCOL = "zookeeper";
export const SASL_SERVER_NAME = "zk-sasl-md5";

/** A failed exchange: ZooKeeper answers AuthFailed and closes the connection. */
export class SaslError extends Error {}

export interface DigestMd5Options {
  /** The password of a user, undefined for an unknown one. */
  readonly password: (user: string) => string | undefined;
  /** Random bytes for the nonce (injected by tests). */
  readonly random?: (size: number) => Uint8Array;
}

/**
 * One connection's DIGEST-MD5 exchange: an empty first token gets the challenge; the client's
 * digest-response is checked against the user's password and answered with rspauth, after which
 * the exchange is complete and `authorizationId` names the user (ZooKeeper's identity sasl:<user>).
 * Any deviation throws SaslError.
 */
export class DigestMd5Server {
  private step: "challenge" | "response" | "complete" = "challenge";
  private nonce = "";
  private user: string | undefined;

  constructor(private readonly options: DigestMd5Options) {}

  get complete(): boolean {
    return this.step === "complete";
  }

  /** The authenticated user once complete (the authentication id, as ZooKeeper's callback sets it). */
  get authorizationId(): string | undefined {
    return this.step === "complete" ? this.user : undefined;
  }

  /** The server's answer to a client token. */
  evaluate(token: Uint8Array): Buffer {
    switch (this.step) {
      case "challenge":
        // Java's DigestMD5Server ignores an initial response (kazoo's PLAIN sends one: ZooKeeper
        // answers with this challenge and the client, done by its own count, holds no identity).
        this.nonce = Buffer.from((this.options.random ?? randomBytes)(24)).toString("base64");
        this.step = "response";
        return Buffer.from(
          `realm="${SASL_SERVER_NAME}",nonce="${this.nonce}",qop="auth",charset=utf-8,algorithm=md5-sess`,
        );
      case "response":
        return Buffer.from(this.verify(Buffer.from(token).toString("utf8")));
      case "complete":
        throw new SaslError("DIGEST-MD5: authentication already complete");
    }
  }

  private verify(text: string): string {
    const d = parseDirectives(text);
    const need = (name: string): string => {
      const value = d.get(name);
      if (value === undefined) throw new SaslError(`DIGEST-MD5: missing ${name}`);
      return value;
    };
    const charset = d.get("charset");
    if (charset !== undefined && charset.toLowerCase() !== "utf-8") {
      throw new SaslError(`DIGEST-MD5: charset ${charset} is not supported`);
    }
    const user = need("username");
    const realm = d.get("realm") ?? "";
    if (realm !== SASL_SERVER_NAME && realm !== "") throw new SaslError(`DIGEST-MD5: unknown realm ${realm}`);
    if (need("nonce") !== this.nonce) throw new SaslError("DIGEST-MD5: nonce mismatch");
    const nc = need("nc");
    if (!/^[0-9a-fA-F]{8}$/.test(nc) || Number.parseInt(nc, 16) !== 1) {
      throw new SaslError(`DIGEST-MD5: nonce count ${nc} is not 1`);
    }
    const cnonce = need("cnonce");
    const qop = d.get("qop") ?? "auth";
    if (qop !== "auth") throw new SaslError(`DIGEST-MD5: qop ${qop} was not offered`);
    const uri = need("digest-uri");
    const [protocol, host] = uri.split("/");
    if (protocol !== SASL_PROTOCOL || host?.toLowerCase() !== SASL_SERVER_NAME) {
      throw new SaslError(`DIGEST-MD5: digest-uri ${uri} is not ${SASL_PROTOCOL}/${SASL_SERVER_NAME}`);
    }
    const password = this.options.password(user);
    if (password === undefined) throw new SaslError(`DIGEST-MD5: unknown user ${user}`);
    // ZooKeeper's callback authorizes any authzid and names the session by its user all the same.
    const authzid = d.get("authzid");
    const a1Hex = hex(
      md5(
        Buffer.concat([
          md5(
            Buffer.concat([
              text8859(user),
              Buffer.from(":"),
              text8859(realm),
              Buffer.from(":"),
              text8859(password),
            ]),
          ),
          Buffer.from(`:${this.nonce}:${cnonce}${authzid === undefined ? "" : `:${authzid}`}`, "utf8"),
        ]),
      ),
    );
    const digest = (a2: string): string =>
      hex(
        md5(
          Buffer.from(`${a1Hex}:${this.nonce}:${nc}:${cnonce}:${qop}:${hex(md5(Buffer.from(a2, "utf8")))}`),
        ),
      );
    if (need("response").toLowerCase() !== digest(`AUTHENTICATE:${uri}`)) {
      throw new SaslError("DIGEST-MD5: wrong password");
    }
    this.user = user;
    this.step = "complete";
    return `rspauth=${digest(`:${uri}`)}`;
  }
}

function md5(bytes: Uint8Array): Buffer {
  return createHash("md5").update(bytes).digest();
}

function hex(bytes: Buffer): string {
  return bytes.toString("hex");
}

/** RFC 2831 with charset=utf-8: text whose characters all fit ISO 8859-1 is hashed as 8859-1 (as Java does). */
function text8859(text: string): Buffer {
  for (const ch of text) if (ch.codePointAt(0)! > 0xff) return Buffer.from(text, "utf8");
  return Buffer.from(text, "latin1");
}

/** `key=value` or `key="quoted \" value"`, comma-separated; a repeated directive is an error. */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /[\s,]/.test(text[i]!)) i++;
  };
  skipSpace();
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new SaslError(`DIGEST-MD5: cannot parse "${text.slice(i)}"`);
    const key = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = "";
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") i++;
        value += text[i] ?? "";
        i++;
      }
      if (text[i] !== '"') throw new SaslError(`DIGEST-MD5: unterminated value of ${key}`);
      i++;
    } else {
      const end = text.indexOf(",", i);
      value = text.slice(i, end < 0 ? text.length : end).trim();
      i = end < 0 ? text.length : end;
    }
    if (out.has(key)) throw new SaslError(`DIGEST-MD5: ${key} given twice`);
    out.set(key, value);
    skipSpace();
  }
  return out;
}
