/** "ipv4:127.0.0.1:5000" / "ipv6:[::1]:5000" / "127.0.0.1:5000" → the bare address, for ip ACLs. */
export function peerAddress(peer: string): string {
  let rest = peer.replace(/^ipv[46]:/, "");
  if (rest.startsWith("[")) return rest.slice(1, rest.indexOf("]"));
  const colon = rest.lastIndexOf(":");
  if (colon > 0 && rest.indexOf(":") === colon) rest = rest.slice(0, colon);
  return rest.startsWith("::ffff:") ? rest.slice(7) : rest;
}
