import type { Registry } from "prom-client";
import { adminCommandNames, runAdminCommand } from "./admin-commands.js";
import type { AdminContext } from "./commands.js";
import { type HttpHandler, send } from "./http-server.js";

/**
 * ZooKeeper's AdminServer under admin.commandURL: `GET /commands` lists the commands as links,
 * `GET /commands/<name or alias>` answers its JSON (ZooKeeper's shape: the data, then `command`
 * and `error`). The same implementations answer the gRPC AdminService and the four-letter words.
 */
export function adminCommandsHandler(commandUrl: string, context: () => AdminContext): HttpHandler {
  return (_request, response, path) => {
    const name = path.replace(/^\/+/, "").replace(/\/+$/, "");
    if (name === "") {
      const links = adminCommandNames.map((n) => `<a href="${commandUrl}/${n}">${n}</a>\n<br/>`).join("\n");
      send(response, 200, "text/html", `${links}\n`);
      return;
    }
    const { status, body } = runAdminCommand(name, context());
    send(response, status, "application/json", `${JSON.stringify(body, null, 2)}\n`);
  };
}

/** Prometheus's scrape endpoint: the registry's text (or OpenMetrics when asked for it). */
export function metricsHandler(registry: Registry): HttpHandler {
  return async (_request, response) => {
    const body = await registry.metrics();
    send(response, 200, registry.contentType, body);
  };
}
