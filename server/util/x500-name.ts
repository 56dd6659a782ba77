/**
 * A certificate's subject as ZooKeeper's x509 scheme names it: Java's
 * `X500Principal.getName()` (RFC 2253), e.g. "CN=client,OU=ops,O=Paddock". Read from the
 * certificate's DER with a minimal reader (no node:crypto here: the tree's ACL code uses it), and
 * pinned against Java itself in test/unit/util/x500-name.test.ts.
 */

interface Der {
  readonly tag: number;
  /** The whole element, header included. */
  readonly whole: Uint8Array;
  readonly body: Uint8Array;
}

/** Elements of DER text (bounded by the buffer: a bad length throws, never reads past it). */
function elements(bytes: Uint8Array): Der[] {
  const out: Der[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const tag = bytes[at++]!;
    if ((tag & 0x1f) === 0x1f) throw new RangeError("DER: multi-byte tags are not expected in a name");
    let length = bytes[at++];
    if (length === undefined) throw new RangeError("DER: truncated length");
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4) throw new RangeError("DER: unsupported length form");
      length = 0;
      for (let i = 0; i < count; i++) {
        const b = bytes[at++];
        if (b === undefined) throw new RangeError("DER: truncated length");
        length = length * 256 + b;
      }
    }
    if (at + length > bytes.length) throw new RangeError("DER: element runs past its container");
    out.push({ tag, whole: bytes.subarray(start, at + length), body: bytes.subarray(at, at + length) });
    at += length;
  }
  return out;
}

function only(bytes: Uint8Array, tag: number, what: string): Der {
  const [first] = elements(bytes);
  if (first === undefined || first.tag !== tag) throw new RangeError(`DER: ${what} expected`);
  return first;
}

const SEQUENCE = 0x30;
const SET = 0x31;

/** The subject Name of an X.509 certificate (DER), as RFC 2253 text in Java's X500Principal form. */
export function subjectDn(certificateDer: Uint8Array): string {
  const certificate = only(certificateDer, SEQUENCE, "certificate");
  const tbs = only(certificate.body, SEQUENCE, "tbsCertificate");
  const fields = elements(tbs.body);
  // [0] version is optional; then serial, signature algorithm, issuer, validity, subject.
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[first + 4];
  if (subject === undefined || subject.tag !== SEQUENCE) throw new RangeError("DER: subject expected");
  return nameToRfc2253(subject.body);
}

/** Name ::= SEQUENCE OF RDN (the body given); printed most specific first, as RFC 2253 says. */
export function nameToRfc2253(nameBody: Uint8Array): string {
  const rdns = elements(nameBody).map((rdn) => {
    if (rdn.tag !== SET) throw new RangeError("DER: RDN must be a SET");
    return elements(rdn.body)
      .map((ava) => {
        if (ava.tag !== SEQUENCE) throw new RangeError("DER: AttributeTypeAndValue must be a SEQUENCE");
        const [type, value] = elements(ava.body);
        if (type === undefined || type.tag !== 0x06 || value === undefined)
          throw new RangeError("DER: AttributeTypeAndValue needs an OID and a value");
        return attribute(oidText(type.body), value);
      })
      .join("+");
  });
  return rdns.reverse().join(",");
}

/** The keywords X500Principal prints in RFC 2253 form; every other type prints as its OID. */
const keywords: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.9": "STREET",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
};

function attribute(oid: string, value: Der): string {
  const keyword = keywords[oid];
  const text = keyword === undefined ? undefined : stringValue(value);
  // A dotted type, or a value of no string type, prints as # and the DER in lower-case hex.
  if (keyword === undefined || text === undefined) return `${keyword ?? oid}=#${hex(value.whole)}`;
  return `${keyword}=${escapeValue(text)}`;
}

function stringValue(value: Der): string | undefined {
  switch (value.tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1b: // GeneralString
      return new TextDecoder("utf-8").decode(value.body);
    case 0x14: // T61String, which Java reads as ISO-8859-1
      return new TextDecoder("latin1").decode(value.body);
    case 0x1e: // BMPString
      return new TextDecoder("utf-16be").decode(value.body);
    default:
      return undefined;
  }
}

/**
 * Java's AVA.toRFC2253String: `, = + " \ < > ;` get a backslash, NUL is written \00, and spaces
 * leading or trailing the value get a backslash; a leading # gets one too.
 */
function escapeValue(text: string): string {
  let out = "";
  for (const c of text) {
    if (',=+"\\<>;'.includes(c)) out += `\\${c}`;
    else if (c === "\u0000") out += "\\00";
    else out += c;
  }
  if (out.startsWith("#")) out = `\\${out}`;
  const chars = [...out];
  let lead = 0;
  while (lead < chars.length && (chars[lead] === " " || chars[lead] === "\r")) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && (chars[trail] === " " || chars[trail] === "\r")) trail--;
  return chars.map((c, i) => (i < lead || i > trail ? `\\${c}` : c)).join("");
}

function oidText(body: Uint8Array): string {
  const parts: number[] = [];
  let n = 0;
  for (const b of body) {
    n = n * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else parts.push(n);
      n = 0;
    }
  }
  return parts.join(".");
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * Whether text reads as a distinguished name (X500Principal's constructor would accept it): one or
 * more `type=value` pairs separated by unescaped `,` `;` or `+`, each type a keyword or an OID.
 * ZooKeeper's X509AuthenticationProvider.isValid asks exactly that of an x509 ACL id.
 */
export function isDistinguishedName(text: string): boolean {
  if (text.trim() === "") return false;
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      if (i + 1 >= text.length) return false;
      current += c + text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (!quoted && (c === "," || c === ";" || c === "+")) {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  if (quoted) return false;
  parts.push(current);
  return parts.every((part) => {
    const eq = part.indexOf("=");
    if (eq <= 0) return false;
    const type = part.slice(0, eq).trim();
    return /^[A-Za-z][A-Za-z0-9-]*$/.test(type) || /^(OID\.)?\d+(\.\d+)+$/i.test(type);
  });
}
