import { type ServerUnaryCall, type sendUnaryData, status } from "@grpc/grpc-js";
import type { CommandRequest, CommandResponse } from "../gen/paddock/v1/admin.js";
import { type AdminContext, runCommand } from "./commands.js";

/**
 * Who may call: undefined lets the call through, a text refuses it with UNAUTHENTICATED and that
 * text. The composition root decides (with secureClientPort set, a verified client certificate).
 */
export type AdminCallGate = (call: ServerUnaryCall<CommandRequest, CommandResponse>) => string | undefined;

export function adminServiceHandlers(context: () => AdminContext, gate: AdminCallGate = () => undefined) {
  return {
    command(
      call: ServerUnaryCall<CommandRequest, CommandResponse>,
      callback: sendUnaryData<CommandResponse>,
    ): void {
      const refused = gate(call);
      if (refused !== undefined) {
        callback({ code: status.UNAUTHENTICATED, details: refused });
        return;
      }
      const { ok, output } = runCommand(call.request.command.trim(), context());
      if (!ok) callback({ code: status.INVALID_ARGUMENT, details: output });
      else callback(null, { output });
    },
  };
}
