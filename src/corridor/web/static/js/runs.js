// corridor web page — stored capacity, plan and stress runs, and batch results.
"use strict";

// --------------------------------------------------------------------------- runs

async function loadRuns() {
  if (!state.info.features.runs) return;
  try {
    const { runs } = await call("GET", "/api/runs?limit=10");
    const rows = runs.map((r) =>
      h("tr", { "data-run": r.id, onclick: () => showRun(r.id) },
        h("td", { class: "run-id" }, h("code", { "data-testid": "run-id", text: r.id }),
          copyButton(r.id)),
        h("td", { text: t("kind_" + r.kind) }),
        h("td", { text: r.created_at.replace("T", " ").slice(0, 19) }),
        h("td", { text: headlineText(r.headline) })));
    $("#run-list").replaceChildren(dataTable(["run", "kind", "created", "headline"], rows,
      "run-table"));
  } catch (error) {
    showError(error);
  }
}

/** A copy-to-clipboard button for a run id (the whole id, as `corridor runs show` takes). */
function copyButton(text) {
  return h("button", { type: "button", class: "copy", "data-testid": "copy-run-id",
    title: t("copy"), text: t("copy"), onclick: (event) => {
      event.stopPropagation();
      navigator.clipboard?.writeText(text).then(() => setStatus(t("copied", { id: text })),
        () => setStatus(text));
    } });
}

function headKey(k) {
  const key = "head_" + k;
  return key in state.i18n.en ? t(key) : k;
}

function headlineText(headline) {
  return Object.entries(headline)
    .map(([k, v]) => `${headKey(k)}: ${typeof v === "number" ? fmt(v, 0) : v ?? "—"}`)
    .join(" · ");
}

async function showRun(id) {
  try {
    const run = await call("GET", "/api/runs/" + encodeURIComponent(id));
    const rows = Object.entries({ ...run.headline, data_version: run.data_version }).map(
      ([k, v]) => h("tr", {}, h("th", { text: headKey(k), title: k }),
        h("td", { text: fieldValue(k, v) })));
    renderDetails(`${t("kind_" + run.kind)} ${run.id}`,
      downloads((fmt_) => "/api/export/runs/" + encodeURIComponent(run.id) + "?format=" + fmt_,
        null, "run"),
      h("table", { class: "record" }, h("tbody", {}, rows)),
      h("pre", { class: "params", text: JSON.stringify(run.parameters, null, 1) }));
  } catch (error) {
    showError(error);
  }
}

function batchTable(result) {
  const head = ["origin", "destination", "route", "cost", "days_mean"];
  const rows = result.items.map((item, i) => {
    const best = item.result && item.result.routes[0];
    const p = `job-result-${i}-`;
    return h(
      "tr",
      {},
      h("td", { text: nodeName(item.origin) }),
      h("td", { text: nodeName(item.destination) }),
      h("td", { text: best ? routeLabel(best) : item.error }),
      numCell(p + "cost", best ? best.totals.cost_usd_per_t : null, 2),
      numCell(p + "days-mean", best ? best.totals.days_mean : null, 1),
    );
  });
  return h(
    "table",
    { class: "data", "data-testid": "job-result" },
    h("thead", {}, h("tr", {}, head.map((k) => h("th", { text: t("col_" + k) })))),
    h("tbody", {}, rows),
  );
}
