// corridor web page — background jobs (batch compare, plan, stress): start, follow, cancel, show.
"use strict";

// --------------------------------------------------------------------------- jobs

function batchParams() {
  const params = {
    commodity: $("#commodity").value,
    origins: originsOf($("#commodity").value).map((n) => n.id),
    destinations: japanesePorts().map((n) => n.id),
    avoid: checkedAvoid(),
  };
  const volume = numberInput("#volume");
  if (volume !== null) params.volume = volume;
  return params;
}

function planParams() {
  return {
    contracts: [{
      id: "web",
      commodity: $("#commodity").value,
      origins: [$("#origin").value],
      destinations: [$("#destination").value],
      volume_t_per_year: numberInput("#volume") ?? 10000,
      avoid: checkedAvoid(),
    }],
  };
}

/** A stress run of the form's choice: its whole volume on the cheapest route. */
function stressParams() {
  return {
    commodity: $("#commodity").value,
    origin: $("#origin").value,
    destination: $("#destination").value,
    volume: numberInput("#volume") ?? 10000,
    avoid: checkedAvoid(),
  };
}

async function startJob(kind, params) {
  clearErrors();
  try {
    const job = await call("POST", "/api/jobs", { kind, params });
    state.jobs.set(job.id, job);
    renderJobs();
    pollJob(job.id);
  } catch (error) {
    showError(error);
  }
}

async function pollJob(id) {
  try {
    const job = await call("GET", "/api/jobs/" + id);
    state.jobs.set(id, job);
    renderJobs();
    if (job.status === "queued" || job.status === "running") {
      setTimeout(() => pollJob(id), POLL_MS);
    } else if (["plan", "capacity", "stress"].includes(job.kind)) {
      loadRuns();
    }
  } catch (error) {
    showError(error);
  }
}

async function cancelJob(id) {
  try {
    state.jobs.set(id, await call("DELETE", "/api/jobs/" + id));
    renderJobs();
  } catch (error) {
    showError(error);
  }
}

async function loadJobs() {
  const { jobs } = await call("GET", "/api/jobs");
  for (const job of jobs.slice(0, 10).reverse()) {
    state.jobs.set(job.id, job);
    pollJob(job.id);
  }
}

function renderJobs() {
  const cards = [...state.jobs.values()].reverse().map(jobCard);
  $("#job-list").replaceChildren(...cards);
}

function jobCard(job) {
  const active = job.status === "queued" || job.status === "running";
  const params = job.params;
  const commodity = params.commodity || params.contracts[0].commodity;
  return h(
    "div",
    { class: "job", "data-testid": "job-" + job.id, "data-kind": job.kind,
      "data-status": job.status },
    h("div", { class: "job-head" },
      h("strong", { text: t("kind_" + job.kind) }),
      ` ${localName(state.byId.commodities.get(commodity))} · `,
      h("span", { "data-testid": "job-status", text: t("status_" + job.status) }),
      active ? h("button", { type: "button", "data-testid": "job-cancel", text: t("cancel"),
        onclick: () => cancelJob(job.id) }) : null),
    h("progress", { max: 1, value: job.progress, "data-testid": "job-progress",
      "data-value": job.progress }),
    h("span", { class: "pct", text: fmt(job.progress * 100, 0) + " %" }),
    job.error ? h("p", { class: "error", text: job.error }) : null,
    job.result ? jobResult(job) : null,
  );
}

function jobResult(job) {
  const files = downloads((f) => `/api/export/jobs/${encodeURIComponent(job.id)}?format=${f}`,
    null, job.kind);
  if (job.kind === "batch_compare") return h("div", {}, files, batchTable(job.result));
  if (job.kind === "plan") return h("div", {}, files, planBlock(job.result, job.params));
  if (job.kind === "stress") return h("div", {}, files, stressBlock(job.result));
  return h("p", { text: t("see_api") });
}

/** Headline figures of a stress run and the histogram of undelivered tonnes per year. */
function stressBlock(result) {
  const p = result.portfolio;
  const u = p.undelivered_t;
  const c = p.extra_cost_usd;
  const row = (key, testid, value, digits, scale) =>
    h("tr", {}, h("th", { text: t(key) }), numCell(testid, value, digits, { scale }));
  return h(
    "div",
    { class: "stress", "data-testid": "stress-result" },
    h("p", { class: "headline", text: t("stress_years", { years: fmt(result.parameters.years, 0),
      seed: result.parameters.seed }) }),
    h("table", { class: "record" }, h("tbody", {},
      row("stress_delivered", "stress-delivered-share", p.delivered_share, 2, 100),
      row("stress_mean_t", "stress-mean-undelivered", u.mean, 0),
      row("stress_var95_t", "stress-var95-undelivered", u.var_95, 0),
      row("stress_cvar95_t", "stress-cvar95-undelivered", u.cvar_95, 0),
      row("stress_mean_usd", "stress-mean-cost", c.mean, 0),
      row("stress_var95_usd", "stress-var95-cost", c.var_95, 0),
      row("stress_cvar95_usd", "stress-cvar95-cost", c.cvar_95, 0))),
    histogram(result.distribution.undelivered_t),
  );
}

/** An SVG bar chart of a histogram ({edges, counts}): years against undelivered tonnes. */
function histogram({ edges, counts }) {
  const width = 480, height = 160, left = 8, bottom = 24;
  const most = Math.max(...counts, 1);
  const barWidth = (width - 2 * left) / Math.max(counts.length, 1);
  const bars = counts.map((n, i) =>
    svg("rect", { class: "bar", x: (left + i * barWidth).toFixed(1),
      y: (height - bottom - (n / most) * (height - bottom - 8)).toFixed(1),
      width: Math.max(barWidth - 1, 1).toFixed(1),
      height: ((n / most) * (height - bottom - 8)).toFixed(1),
      "data-testid": "stress-bar-" + i, "data-value": n },
    svg("title", { text: t("stress_bar", { n: fmt(n, 0), lo: fmt(edges[i], 0),
      hi: fmt(edges[i + 1], 0) }) })));
  const label = (x, anchor, value) => svg("text", { x, y: height - 6, "text-anchor": anchor,
    text: fmt(value, 0) + " t" });
  // Axes: x = undelivered tonnes in a year, y = number of simulated years (0 to the most).
  const axes = [
    svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - left,
      y2: height - bottom }),
    svg("line", { class: "axis", x1: left, y1: 8, x2: left, y2: height - bottom }),
    svg("text", { x: left + 4, y: 16, "data-testid": "stress-y-max",
      text: t("stress_y_axis", { n: fmt(most, 0) }) }),
    svg("text", { x: width / 2, y: height - 6, "text-anchor": "middle",
      text: t("stress_x_axis") }),
  ];
  return svg("svg", { class: "histogram", viewBox: `0 0 ${width} ${height}`, role: "img",
    "data-testid": "stress-histogram", "aria-label": t("stress_histogram") },
  svg("title", { text: t("stress_histogram") }), ...bars, ...axes,
  label(left, "start", edges[0]), label(width - left, "end", edges[edges.length - 1]));
}

/** Download links for a result: CSV, XLSX (all tables + sources) and Parquet. ``url`` maps a
 * format to the export URL; ``body`` is POSTed when given (the question is computed again). */
function downloads(url, body, name) {
  const button = (fmt_) => h("button", { type: "button", "data-testid": `download-${fmt_}`,
    text: fmt_.toUpperCase(), onclick: () => download(url(fmt_), body, `${name}.${fmt_}`) });
  return h("p", { class: "downloads", "data-testid": "downloads" },
    t("download") + ": ", button("csv"), " ", button("xlsx"), " ", button("parquet"));
}

async function download(path, body, filename) {
  const headers = {};
  if (body) headers["Content-Type"] = "application/json";
  const token = sessionStorage.getItem("corridor-token");
  if (token) headers.Authorization = "Bearer " + token;
  try {
    const localised = `${path}${path.includes("?") ? "&" : "?"}lang=${state.lang}`;
    const response = await fetch(localised, { method: body ? "POST" : "GET", headers,
      body: body ? JSON.stringify(body) : undefined });
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw new ApiFailure(response.status, data?.error?.message || response.statusText);
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    const link = h("a", { href: URL.createObjectURL(await response.blob()),
      download: name ? name[1] : filename });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    showError(error);
  }
}

function planBlock(plan, params) {
  const flows = plan.flows.map((f, i) =>
    h("tr", {}, h("td", { text: f.contract }), h("td", { text: f.route }),
      h("td", { text: familyName(f.family) }),
      numCell(`plan-flow-${i}-t`, f.t_per_year, 0),
      numCell(`plan-flow-${i}-cost`, f.cost_usd_per_t, 2)));
  const binding = plan.binding_constraints.map((b, i) =>
    h("tr", {}, h("td", { text: b.description }),
      numCell(`plan-binding-${i}-price`, b.shadow_price, 2), h("td", { text: b.unit })));
  const s = plan.summary;
  return h(
    "div",
    { class: "plan", "data-testid": "plan-result" },
    h("p", { class: "headline" },
      `${t("plan_cost")}: USD `,
      h("strong", { "data-testid": "plan-cost", "data-value": s.total_cost_usd_per_year,
        text: fmt(s.total_cost_usd_per_year, 0) }),
      ` · ${t("plan_delivered")}: ${fmt(s.delivered_t_per_year, 0)} t/yr · ` +
        `${t("plan_short")}: ${fmt(s.shortfall_t_per_year, 0)} t/yr `,
      h("button", { type: "button", "data-testid": "plan-map", text: t("show_on_map"),
        onclick: () => drawFlows(plan.link_flows.map((l) => ({ link: l.link,
          t_per_year: l.t_per_year }))) }),
      state.info.features.stress
        ? h("button", { type: "button", "data-testid": "plan-stress", text: t("job_stress"),
          onclick: () => startJob("stress", { contracts: params.contracts,
            rules: params.rules }) }) : null),
    dataTable(["contract", "route", "family", "t_per_year", "cost"], flows, "plan-flows"),
    binding.length
      ? dataTable(["binding", "shadow_price", "unit"], binding, "plan-binding") : null,
  );
}
