import { type ServerUnaryCall, type sendUnaryData, status } from "@grpc/grpc-js";
import type { CommandRequest, CommandResponse } from "../gen/paddock/v1/admin.js";
import { type AdminContext, runCommand } from "./commands.js";

export function adminServiceHandlers(context: () => AdminContext) {
  return {
    command(
      call: ServerUnaryCall<CommandRequest, CommandResponse>,
      callback: sendUnaryData<CommandResponse>,
    ): void {
      const { ok, output } = runCommand(call.request.command.trim(), context());
      if (!ok) callback({ code: status.INVALID_ARGUMENT, details: output });
      else callback(null, { output });
    },
  };
}
