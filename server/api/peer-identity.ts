import type { AuthId } from "../tree/data-tree.js";
import { x509Ids } from "../tree/x509-ids.js";

/** What a grpc-js server call tells of its transport (getAuthContext, grpc-js 1.10+). */
interface CallWithAuthContext {
  getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } | null;
}

/**
 * The identities of a call's verified TLS client certificate (on the secure client port): x509
 * with the subject DN, and super for the configured super user. None on the plain port.
 */
export function certificateIds(call: CallWithAuthContext, x509SuperUser: string | undefined): AuthId[] {
  const raw = call.getAuthContext()?.sslPeerCertificate?.raw;
  return raw === undefined ? [] : x509Ids(raw, x509SuperUser);
}
