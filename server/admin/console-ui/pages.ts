/** Sessions, ensemble and metrics pages: each polls its call and redraws. */
import { type Ensemble, get, type Sample, type SessionRow } from "./api.js";
import { lineChart } from "./chart.js";
import { fill, h } from "./dom.js";
import type { Page, Shell } from "./main.js";

/** Runs `draw` now and every `everyMs`; returns the stop function a page returns. */
function poll(everyMs: number, shell: Shell, draw: () => Promise<void>): () => void {
  let stopped = false;
  const run = (): void => {
    draw().catch((error: unknown) => {
      if (!stopped) shell.status((error as Error).message, true);
    });
  };
  run();
  const timer = setInterval(run, everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

export const sessionsPage: Page = (root, shell) => {
  const body = h("tbody", { id: "sessions-rows" });
  root.append(
    h("h2", {}, "Sessions and their ephemerals"),
    h(
      "table",
      { class: "grid" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "session"),
          h("th", {}, "timeout"),
          h("th", {}, "client (on this member)"),
          h("th", {}, "ephemerals"),
        ),
      ),
      body,
    ),
  );
  return poll(3000, shell, async () => {
    const { sessions } = await get<{ sessions: SessionRow[] }>("sessions");
    fill(
      body,
      sessions.map((s) =>
        h(
          "tr",
          { "data-session": s.id },
          h("td", { class: "mono" }, s.id),
          h("td", {}, `${s.timeoutMs} ms`),
          h("td", {}, s.address ?? "on another member"),
          h(
            "td",
            {},
            s.ephemerals.length === 0
              ? "—"
              : h(
                  "ul",
                  {},
                  s.ephemerals.map((p) => h("li", { class: "mono" }, h("a", { href: `#/tree${p}` }, p))),
                ),
          ),
        ),
      ),
    );
  });
};

export const ensemblePage: Page = (root, shell) => {
  const summary = h("p", { id: "ensemble-summary" });
  const body = h("tbody", { id: "ensemble-rows" });
  root.append(
    h("h2", {}, "Ensemble"),
    summary,
    h(
      "table",
      { class: "grid" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["id", "address", "role", "health", "zxid", "lag"].map((c) => h("th", {}, c)),
        ),
      ),
      body,
    ),
    h(
      "p",
      { class: "hint" },
      "Roles, health, zxids and lag as the leader sees them (a learner shows the leader's last report, sent every tickTime). Without a leader, a member this one cannot reach is down.",
    ),
  );
  return poll(1000, shell, async () => {
    const e = await get<Ensemble>("ensemble");
    fill(
      summary,
      `This member: ${e.serverId} (${e.state}), leader ${e.leaderId || "none"}, epoch ${e.epoch}, zxid ${e.zxid}`,
    );
    fill(
      body,
      e.members.map((m) =>
        h(
          "tr",
          { "data-member": m.id, "data-health": m.health },
          h("td", {}, m.self ? `${m.id} (this member)` : m.id),
          h("td", { class: "mono" }, m.address),
          h("td", {}, m.role || "?"),
          h("td", {}, h("span", { class: `badge ${m.health}` }, m.health)),
          h("td", { class: "mono" }, m.zxid ?? ""),
          h("td", {}, m.lag ?? ""),
        ),
      ),
    );
  });
};

const series: { key: keyof Sample; title: string; unit?: string }[] = [
  { key: "requestsPerSecond", title: "requests/s" },
  { key: "latencyAvgMs", title: "avg latency", unit: " ms" },
  { key: "outstanding", title: "outstanding requests" },
  { key: "znodes", title: "znodes" },
  { key: "sessions", title: "sessions" },
  { key: "watches", title: "watches" },
];

export const metricsPage: Page = (root, shell) => {
  const charts = h("div", { id: "charts", class: "charts" });
  root.append(h("h2", {}, "Key metrics (this member, sampled every 5 s)"), charts);
  return poll(5000, shell, async () => {
    const { samples } = await get<{ samples: Sample[] }>("metrics");
    fill(
      charts,
      series.map((s) =>
        lineChart(
          s.title,
          samples.map((p) => ({ t: p.t, v: Number(p[s.key]) })),
          s.unit,
        ),
      ),
    );
  });
};
