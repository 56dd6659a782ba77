import { subjectDn } from "../util/x500-name.js";
import type { AuthId } from "./acl-check.js";

/**
 * The identities a verified client certificate gives its connection, as ZooKeeper's
 * X509AuthenticationProvider: `x509:<subject DN, RFC 2253>`, and `super:<DN>` as well when the DN
 * equals the configured super user (zookeeper.X509AuthenticationProvider.superUser).
 */
export function x509Ids(certificateDer: Uint8Array, superUser: string | undefined): AuthId[] {
  const dn = subjectDn(certificateDer);
  const ids: AuthId[] = [{ scheme: "x509", id: dn }];
  if (superUser !== undefined && dn === superUser) ids.push({ scheme: "super", id: dn });
  return ids;
}
