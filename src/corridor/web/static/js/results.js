// corridor web page — what a query answers: the record and route details, and the result tables.
"use strict";

// --------------------------------------------------------------------------- details

function sourceItem(source) {
  return h(
    "li",
    { "data-source": source.id },
    h("strong", { text: source.id }),
    ` — ${source.citation} (${source.year}, ${t("source_" + source.kind)})`,
    source.url ? h("div", { class: "url", text: source.url }) : null,
    source.method ? h("div", { class: "method", text: t("method") + ": " + source.method }) : null,
  );
}

function fieldValue(name, value) {
  if (name === "geometry") return t("points", { n: value.length });
  if (Array.isArray(value)) return value.join(", ");
  if (value && typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${k}: ${v}`).join(", ");
  }
  return value === null ? "—" : String(value);
}

function recordTitle(record) {
  if (record.name_en) return `${localName(record)} (${record.id})`;
  if (record.from) return `${record.id}: ${nodeName(record.from)} → ${nodeName(record.to)}`;
  return record.id;
}

async function showRecord(table, id) {
  try {
    const rec = await call("GET", `/api/network/${table}/${encodeURIComponent(id)}`);
    const rows = Object.entries(rec.record).map(([k, v]) =>
      h(
        "tr",
        {},
        h("th", { text: k }),
        h("td", { text: fieldValue(k, v) }),
        h("td", { class: "src", text: (rec.sources[k] || []).join(", ") }),
      ),
    );
    renderDetails(
      recordTitle(rec.record),
      h("table", { class: "record" }, h("tbody", {}, rows)),
      h("h4", { text: t("sources") }),
      h("ul", { class: "sources" }, rec.source_details.map(sourceItem)),
    );
  } catch (error) {
    showError(error);
  }
}

function showRoute(rank) {
  const route = state.result.routes[rank - 1];
  highlightRoute(rank);
  const sources = route.sources.map((id) => state.byId.sources.get(id)).filter(Boolean);
  renderDetails(
    routeTitle(rank, route),
    h("p", { title: route.countries.join(" ") }, `${t("countries")}: ${exposureNames(route.countries)}`),
    h("p", { title: route.chokepoints.join(" ") },
      `${t("chokepoints")}: ${exposureNames(route.chokepoints) || "—"}`),
    h("h4", { text: t("sources") }),
    h("ul", { class: "sources" }, sources.map(sourceItem)),
  );
}

function renderDetails(title, ...content) {
  $("#details").replaceChildren(h("h3", { text: title }), ...content);
  $("#details").hidden = false;
}

// --------------------------------------------------------------------------- results

function renderResult() {
  const data = state.result;
  if (!data) return;
  const req = data.request;
  const commodity = state.byId.commodities.get(req.commodity);
  const origin = req.origin || req.origins.map(nodeName).join(", ");
  const destination = req.destination || req.destinations.map(nodeName).join(", ");
  $("#results").hidden = false;
  $("#results-title").textContent = `${localName(commodity)}: ${nodeName(origin)} → ` +
    `${nodeName(destination)} · ${t("kind_" + state.resultKind)}`;
  const kind = state.resultKind;
  $("#downloads").replaceChildren(downloads((f) => `/api/export/${kind}?format=${f}`,
    state.body, kind));
  const capacity = state.resultKind === "capacity";
  $("#route-parts").hidden = capacity;
  $("#capacity").replaceChildren(...(capacity ? capacityBlock(data) : []));
  if (capacity) {
    $("#notes").replaceChildren();
    drawFlows(data.flows);
    return;
  }
  state.flows = null;
  $("#route-table").replaceChildren(...routeTable(data.routes, data.risk_measures));
  $("#notes").replaceChildren(...data.notes.map((n) => h("p", { class: "note", text: n })));
  $("#premium").replaceChildren(...(data.premium ? premiumBlock(data) : []));
  $("#unavailable").replaceChildren(...(data.unavailable ? unavailableList(data) : []));
  drawRoutes(data.routes);
  drawChart();
  $("#legs").replaceChildren(...data.routes.map(legsOf));
}

function capacityBlock(data) {
  const head = ["capacity", "name", "capacity_t", "used_t", "marginal", "sources"];
  const rows = data.bottlenecks.map((b, i) =>
    h(
      "tr",
      {},
      h("td", { text: b.id }),
      h("td", { text: b.name }),
      numCell(`bottleneck-${i}-capacity`, b.capacity_t_per_year, 0),
      numCell(`bottleneck-${i}-used`, b.used_t_per_year, 0),
      numCell(`bottleneck-${i}-marginal`, b.marginal_t_per_t, 2),
      h("td", { class: "src", text: b.sources.join(", ") }),
    ));
  return [
    h("p", { class: "headline" }, t("capacity_max") + ": ",
      h("strong", { "data-testid": "capacity-max", "data-value": data.max_t_per_year ?? "",
        text: data.max_t_per_year === null ? "—" : fmt(data.max_t_per_year, 0) + " t/yr" })),
    h("p", { "data-testid": "capacity-summary", text: data.summary }),
    h("h3", { text: t("bottlenecks_title") }),
    dataTable(head, rows, "bottleneck-table"),
  ];
}

function dataTable(head, rows, testid) {
  return h(
    "table",
    { class: "data", "data-testid": testid },
    h("thead", {}, h("tr", {}, head.map((k) => h("th", { text: t("col_" + k) })))),
    h("tbody", {}, rows),
  );
}

// Risk columns are the comparison measures of docs/risk.md#comparison-measures (what tells
// routes apart), not the annual chance of any disruption, which is near 1 on every route.
function routeTable(routes, measures) {
  const styles = routeStyles(routes);
  const head = ["rank", "route", "cost", "days_mean", "days_p95", "co2e", "distance",
    "countries", "chokepoints", "p_long", "tonne_days", "stockout_days"];
  const byRoute = (measures && measures.routes) || [];
  const rows = routes.map((r, i) => {
    const p = `route-${i + 1}-`;
    const m = byRoute[i] || {};
    return h(
      "tr",
      { "data-route": i + 1, onclick: () => showRoute(i + 1) },
      h("td", { class: "n", text: String(i + 1) }),
      h("td", { "data-testid": p + "label", "data-value": r.label,
        title: (r.gateways || []).join(" › ") },
      swatch(styles[i]), h("span", { "data-testid": p + "name", text: routeLabel(r) }),
      conditionsOf(r, p + "conditions")),
      numCell(p + "cost", r.totals.cost_usd_per_t, 2),
      numCell(p + "days-mean", r.totals.days_mean, 1),
      numCell(p + "days-p95", r.totals.days_p95, 1),
      numCell(p + "co2e", r.totals.co2e_kg_per_t, 1),
      numCell(p + "distance", r.totals.distance_km, 0),
      exposureCell(r.countries),
      exposureCell(r.chokepoints),
      numCell(p + "p-long", m.p_interruption_over_30d_30pct, 1, { scale: 100 }),
      numCell(p + "tonne-days", m.expected_tonne_days_per_t, 2),
      numCell(p + "stockout-days", m.expected_stockout_days, 2),
    );
  });
  const shared = measures && measures.shared;
  return [
    h(
      "table",
      { class: "data", "data-testid": "route-table" },
      h("thead", {}, h("tr", {}, head.map((k) => h("th", { text: t("col_" + k) })))),
      h("tbody", {}, rows),
    ),
    ...(shared && shared.events && shared.events.length
      ? [h("p", { class: "note", "data-testid": "shared-risk", text: t("risk_shared", {
        events: listOf(shared.events.map(eventName)),
        tonne_days: fmt(shared.expected_tonne_days_per_t, 2),
        stock: fmt(measures.stock_days, 0),
        stockout: fmt(shared.expected_stockout_days, 2),
      }) })]
      : []),
  ];
}

function riskChangeCells(q, c) {
  return [
    numCell(q + "risk-p-long", c.p_interruption_over_30d_30pct, 1, { signed: true, scale: 100 }),
    numCell(q + "risk-tonne-days", c.expected_tonne_days_per_t, 2, { signed: true }),
    numCell(q + "risk-stockout-days", c.expected_stockout_days, 2, { signed: true }),
  ];
}

function ruleName(premium) {
  return t("rule_" + premium.avoid.join("_"));
}

function premiumSentence(p, volume) {
  const what = ruleName(p);
  if (p.route === null) return t("premium_none", { what, reason: localReason(p) });
  if (p.route_index === 0) return t("premium_same", { what });
  const perYear = volume ? t("per_year", { usd: fmt(p.premium_usd_per_year, 0) }) : "";
  return t("premium_line", {
    what,
    usd: signed(p.premium_usd_per_t, 2),
    per_year: perYear,
    days: signed(p.extra_days, 1),
    route: routeLabel(state.result.routes[p.route_index]),
  });
}

function premiumBlock(data) {
  const volume = data.request.volume_t_per_year;
  const head = ["rule", "route", "cost", "premium", "premium_year", "extra_days",
    "extra_days_p95", "risk_p_long", "risk_tonne_days", "risk_stockout_days"];
  const rows = data.premium.map((p, i) => {
    const q = `premium-${i}-`;
    const label = p.route_index === null ? localReason(p) || "—" : routeLabel(data.routes[p.route_index]);
    return h(
      "tr",
      {},
      h("td", { text: ruleName(p) }),
      h("td", { "data-testid": q + "route", "data-value": p.route ?? "", text: label }),
      numCell(q + "cost", p.cost_usd_per_t, 2),
      numCell(q + "usd-per-t", p.premium_usd_per_t, 2, { signed: true }),
      numCell(q + "usd-per-year", p.premium_usd_per_year, 0, { signed: true }),
      numCell(q + "extra-days", p.extra_days, 1, { signed: true }),
      numCell(q + "extra-days-p95", p.extra_days_p95, 1, { signed: true }),
      ...riskChangeCells(q, p.risk_measures_change || {}),
    );
  });
  return [
    h("h3", { text: t("premium_title") }),
    h("ul", { class: "findings", "data-testid": "premium-summary" },
      data.premium.map((p) => h("li", { text: premiumSentence(p, volume) }))),
    h(
      "table",
      { class: "data", "data-testid": "premium-table" },
      h("thead", {}, h("tr", {}, head.map((k) => h("th", { text: t("col_" + k) })))),
      h("tbody", {}, rows),
    ),
  ];
}

/** Why an avoid rule has no route, in the page's language (the API sends both). */
function localReason(p) {
  return state.lang === "ja" && p.reason_ja ? p.reason_ja : p.reason;
}

function unavailableList(data) {
  const local = state.lang === "ja" && data.unavailable_ja ? data.unavailable_ja : {};
  const entries = Object.entries(data.unavailable).map(([f, why]) => [f, local[f] || why]);
  if (!entries.length) return [];
  return [
    h("h3", { text: t("unavailable_title") }),
    h("ul", { class: "findings" },
      entries.map(([family, why]) =>
        h("li", { "data-family": family }, h("strong", { text: familyName(family) }), ": " + why))),
  ];
}

function legsOf(route, i) {
  const rank = i + 1;
  const head = ["from", "to", "mode", "what", "distance", "cost", "days_mean", "days_p95",
    "co2e", "link"];
  const rows = route.legs.map((leg, j) => {
    const p = `leg-${rank}-${j + 1}-`;
    return h(
      "tr",
      { class: leg.kind },
      h("td", { text: nodeName(leg.from) }),
      h("td", { text: nodeName(leg.to) }),
      h("td", { "data-testid": p + "mode", text: dataWord("mode", leg.mode) }),
      h("td", { "data-testid": p + "what",
        text: state.lang === "ja" && leg.what_ja ? leg.what_ja : leg.what }),
      numCell(p + "distance", leg.distance_km, 0),
      numCell(p + "cost", leg.cost_usd_per_t, 2),
      numCell(p + "days-mean", leg.days_mean, 2),
      numCell(p + "days-p95", leg.days_p95, 2),
      numCell(p + "co2e", leg.co2e_kg_per_t, 1),
      h("td", {}, leg.link
        ? h("button", { type: "button", class: "link", text: leg.link,
          onclick: () => showRecord("links", leg.link) })
        : "—"),
    );
  });
  const charges = Object.entries(route.charges_usd_per_t).map(([name, value]) =>
    h("tr", { class: "charge" }, h("td", { colspan: 5, text: t("charge") + ": " + dataWord("charge", name) }),
      numCell(`leg-${rank}-charge-${name}`, value, 2), h("td", { colspan: 4 })));
  return h(
    "details",
    { "data-route": rank },
    h("summary", {}, swatch(routeStyles(state.result.routes)[i]),
      `${rank}. ${routeLabel(route)} — USD ${fmt(route.totals.cost_usd_per_t, 2)}/t`),
    h("table", { class: "data legs" },
      h("thead", {}, h("tr", {}, head.map((k) => h("th", { text: t("col_" + k) })))),
      h("tbody", {}, rows, charges)),
    h("p", { class: "route-sources" }, t("sources") + ": " + route.sources.join(", ")),
  );
}
