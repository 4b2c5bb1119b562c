// corridor web page: plain JavaScript, no build step, nothing loaded from outside this server.
// Every number shown comes from the REST API unchanged; each carries its raw value in
// data-value and a stable data-testid, so tests can check the page against the API.
"use strict";

const FAMILY_COLOURS = {
  china: "#d62728",
  trans_caspian: "#1f77b4",
  russia: "#9467bd",
  south: "#ff7f0e",
};
const OTHER_COLOUR = "#7f7f7f";
const DASHES = ["", "10 5", "3 4", "14 4 3 4", "6 3 2 3 2 3"];
const MAP = { width: 1000, height: 540 };
const CHART = { width: 640, height: 360, left: 70, right: 24, top: 14, bottom: 46 };
const SVG_NS = "http://www.w3.org/2000/svg";
const POLL_MS = 400;
const TABLES = ["nodes", "links", "commodities", "exposures", "sources"];

const state = {
  lang: "en",
  i18n: {},
  info: null,
  net: {},
  byId: {},
  countries: null,
  frame: null,
  result: null,
  resultKind: null,
  metric: "cost",
  jobs: new Map(),
  flows: null,
};

// --------------------------------------------------------------------------- helpers

function $(selector) {
  return document.querySelector(selector);
}

function build(element, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") element.textContent = value;
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) {
      element.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** An HTML element; text goes in as text, never as markup. */
function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Translated text for a key, with {name} placeholders filled in. */
function t(key, vars) {
  const text = state.i18n[state.lang][key] ?? state.i18n.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars && name in vars ? vars[name] : ""));
}

function fmt(value, digits) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

function signed(value, digits) {
  if (value === null || value === undefined) return "—";
  return (value > 0 ? "+" : "") + fmt(value, digits);
}

/** A table cell holding one number: raw value in data-value, formatted text inside. */
function numCell(testid, value, digits, options = {}) {
  const scaled = value === null || value === undefined ? value : value * (options.scale || 1);
  const text = options.signed ? signed(scaled, digits) : fmt(scaled, digits);
  return h("td", { class: "n", "data-testid": testid, "data-value": value ?? "", text });
}

function localName(record) {
  if (!record) return "";
  return state.lang === "ja" && record.name_ja ? record.name_ja : record.name_en;
}

function nodeName(id) {
  return localName(state.byId.nodes.get(id)) || id;
}

/** Names of countries or chokepoints (ids on hover). */
function exposureCell(ids) {
  const names = ids.map((id) => localName(state.byId.exposures.get(id)) || id);
  return h("td", { title: ids.join(" "), text: names.join(", ") });
}

function familyName(family) {
  return family
    .split("+")
    .map((f) => t("family_" + f))
    .join(" + ");
}

/** "Trans-Caspian: Aktau → Baku → …": the route's label in the page's language (the API
 * sends both; the gateway ids are in route.gateways, shown on hover). */
function routeLabel(route) {
  return state.lang === "ja" && route.label_ja ? route.label_ja : route.label;
}

/** The conditions of a route (approval, charter only, seasonal) in the page's language. */
function conditionsOf(route, testid) {
  const items = (route.conditions || []).map((c) =>
    h("li", { class: "condition", "data-kind": c.kind,
      text: state.lang === "ja" && c.text_ja ? c.text_ja : c.text }));
  return items.length ? h("ul", { class: "conditions", "data-testid": testid }, items) : null;
}

function routeStyles(routes) {
  const seen = {};
  return routes.map((route, i) => {
    const n = seen[route.family] || 0;
    seen[route.family] = n + 1;
    return {
      colour: FAMILY_COLOURS[route.family] || OTHER_COLOUR,
      dash: DASHES[n % DASHES.length],
      width: i === 0 ? 5 : 3,
    };
  });
}

function swatch(style) {
  return svg(
    "svg",
    { class: "swatch", width: 30, height: 10, "aria-hidden": "true" },
    svg("line", {
      x1: 0, y1: 5, x2: 30, y2: 5, stroke: style.colour, "stroke-width": 4,
      "stroke-dasharray": style.dash || null,
    }),
  );
}

// --------------------------------------------------------------------------- API

class ApiFailure extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = sessionStorage.getItem("corridor-token");
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiFailure(response.status, error.message || response.statusText, error.field);
  }
  return data;
}

// --------------------------------------------------------------------------- status

function setStatus(text, isError = false) {
  const status = $("#status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

function showError(error) {
  const field = error.field ? " [" + error.field + "]" : "";
  setStatus(t("error") + field + ": " + error.message, true);
  const input = error.field && document.querySelector(`[data-field="${error.field.split(".")[0]}"]`);
  if (input) input.classList.add("invalid");
}

function clearErrors() {
  document.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  setStatus("");
}

// --------------------------------------------------------------------------- form

function option(value, text, selected) {
  return h("option", { value, selected, text });
}

function fillCommodities() {
  const select = $("#commodity");
  const keep = select.value;
  select.replaceChildren(
    ...state.net.commodities.map((c) => option(c.id, localName(c), c.id === keep)),
  );
  fillOrigins();
}

function originsOf(commodity) {
  return state.net.nodes.filter((n) => n.products.includes(commodity));
}

function japanesePorts() {
  return state.net.nodes.filter((n) => n.country === "JP");
}

function fillOrigins() {
  const select = $("#origin");
  const keep = select.value;
  const origins = originsOf($("#commodity").value);
  select.replaceChildren(...origins.map((n) => option(n.id, nodeName(n.id), n.id === keep)));
  if (!origins.length) select.append(option("", t("no_origins"), true));
}

function fillDestinations() {
  const select = $("#destination");
  const keep = select.value || "JP_YOKOHAMA";
  select.replaceChildren(
    ...japanesePorts().map((n) => option(n.id, nodeName(n.id), n.id === keep)),
  );
}

function fillAvoid() {
  const box = $("#avoid-list");
  const checked = new Set(checkedAvoid());
  const sorted = [...state.net.exposures].sort(
    (a, b) => (a.kind === "country" ? 0 : 1) - (b.kind === "country" ? 0 : 1),
  );
  box.replaceChildren(
    ...sorted.map((e) =>
      h(
        "label",
        { class: "check", title: e.name_en },
        h("input", {
          type: "checkbox", value: e.id, checked: checked.has(e.id),
          "data-testid": "avoid-" + e.id,
        }),
        h("span", { text: `${e.id} ${localName(e)}` }),
      ),
    ),
  );
}

function checkedAvoid() {
  return [...document.querySelectorAll("#avoid-list input:checked")].map((i) => i.value);
}

function numberInput(id) {
  const value = $(id).value.trim();
  return value === "" ? null : Number(value);
}

/** The request body for /api/routes, /api/compare, /api/pareto or /api/capacity. */
function formBody(kind) {
  if (kind === "capacity") {
    return {
      commodity: $("#commodity").value,
      origins: [$("#origin").value],
      destinations: [$("#destination").value],
      avoid: checkedAvoid(),
    };
  }
  const body = {
    commodity: $("#commodity").value,
    origin: $("#origin").value,
    destination: $("#destination").value,
    avoid: checkedAvoid(),
  };
  const carbon = numberInput("#carbon-price");
  if (carbon !== null) body.carbon_price = carbon;
  if (kind === "pareto") return body;
  const volume = numberInput("#volume");
  if (volume !== null) body.volume = volume;
  if (kind === "routes") body.k = numberInput("#k") ?? 5;
  return body;
}

async function runQuery(kind) {
  clearErrors();
  setStatus(t("computing"));
  try {
    state.body = formBody(kind);
    state.result = await call("POST", "/api/" + kind, state.body);
    state.resultKind = kind;
    renderResult();
    setStatus(kind === "capacity" ? "" : t("done_routes", { n: state.result.routes.length }));
    if (kind === "capacity") loadRuns();
  } catch (error) {
    showError(error);
  }
}

// --------------------------------------------------------------------------- map

function makeFrame(points, width, height) {
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const lonPad = Math.max((Math.max(...lons) - Math.min(...lons)) * 0.05, 2);
  const latPad = Math.max((Math.max(...lats) - Math.min(...lats)) * 0.08, 2);
  const lonMin = Math.min(...lons) - lonPad;
  const lonMax = Math.max(...lons) + lonPad;
  const latMin = Math.max(Math.min(...lats) - latPad, -85);
  const latMax = Math.min(Math.max(...lats) + latPad, 85);
  const kx = Math.cos((((latMin + latMax) / 2) * Math.PI) / 180);
  const scale = Math.min(width / ((lonMax - lonMin) * kx), height / (latMax - latMin));
  const lonLeft = (lonMin + lonMax) / 2 - width / (kx * scale) / 2;
  const latTop = (latMin + latMax) / 2 + height / scale / 2;
  return {
    xy: (lon, lat) => [(lon - lonLeft) * kx * scale, (latTop - lat) * scale],
    bounds: [lonLeft, latTop - height / scale, lonLeft + width / (kx * scale), latTop],
  };
}

function pathOf(lines, close) {
  return lines
    .map((line) => {
      const pts = line.map(([lon, lat]) => state.frame.xy(lon, lat));
      const d = "M" + pts.map(([x, y]) => `${x.toFixed(1)} ${y.toFixed(1)}`).join("L");
      return close ? d + "Z" : d;
    })
    .join("");
}

function overlaps(rings, bounds) {
  const [lonMin, latMin, lonMax, latMax] = bounds;
  return rings.some((ring) =>
    ring.some(([lon, lat]) => lon >= lonMin && lon <= lonMax && lat >= latMin && lat <= latMax),
  );
}

function drawBaseMap() {
  const points = state.net.nodes.map((n) => [n.lon, n.lat]);
  state.net.links.forEach((l) => points.push(...l.geometry));
  state.frame = makeFrame(points, MAP.width, MAP.height);
  const countries = state.countries.countries.filter((c) => overlaps(c.rings, state.frame.bounds));
  const map = svg(
    "svg",
    {
      id: "map-svg", "data-testid": "map-svg", viewBox: `0 0 ${MAP.width} ${MAP.height}`,
      role: "img", "aria-label": t("map"),
    },
    svg("rect", { class: "sea", width: MAP.width, height: MAP.height }),
    svg(
      "g",
      { class: "countries" },
      countries.map((c) =>
        svg("path", { class: "country", d: pathOf(c.rings, true) }, svg("title", { text: c.name })),
      ),
    ),
    svg("g", { class: "net-links" }, state.net.links.map(networkLink)),
    svg("g", { id: "map-routes", class: "routes" }),
    svg("g", { class: "nodes" }, state.net.nodes.map(networkNode)),
    svg("g", { id: "map-labels", class: "labels" }),
    svg("text", {
      class: "credit", x: MAP.width - 6, y: MAP.height - 6, "text-anchor": "end",
      text: state.countries.source,
    }),
  );
  $("#map").replaceChildren(map);
  if (state.flows) drawFlows(state.flows);
  else if (state.result && state.result.routes) drawRoutes(state.result.routes);
}

function networkLink(link) {
  return svg(
    "path",
    {
      class: "net-link", "data-link": link.id, d: pathOf([link.geometry], false),
      onclick: () => showRecord("links", link.id),
    },
    svg("title", {
      text: `${link.id}: ${nodeName(link.from)} → ${nodeName(link.to)} (${link.mode}, ` +
        `${fmt(link.distance_km, 0)} km)`,
    }),
  );
}

function networkNode(node) {
  const [x, y] = state.frame.xy(node.lon, node.lat);
  return svg(
    "circle",
    {
      class: "node " + node.kind, "data-node": node.id, cx: x.toFixed(1), cy: y.toFixed(1),
      r: 4, onclick: () => showRecord("nodes", node.id),
    },
    svg("title", { text: `${nodeName(node.id)} (${node.id}, ${node.country})` }),
  );
}

/** A route's line on the map: the geometry of its links, in travel order. */
function routeLines(route) {
  const lines = [];
  for (const leg of route.legs) {
    const link = leg.link && state.byId.links.get(leg.link);
    if (!link) continue;
    lines.push(leg.from === link.from ? link.geometry : [...link.geometry].reverse());
  }
  return lines;
}

function drawRoutes(routes) {
  const styles = routeStyles(routes);
  const group = $("#map-routes");
  group.replaceChildren();
  for (let rank = routes.length; rank >= 1; rank--) {
    const route = routes[rank - 1];
    const style = styles[rank - 1];
    const d = pathOf(routeLines(route), false);
    group.append(
      svg("path", { class: "casing", d, "stroke-width": style.width + 3 }),
      svg(
        "path",
        {
          class: "route", d, "data-route": rank, "data-family": route.family,
          "data-testid": "map-route-" + rank, stroke: style.colour,
          "stroke-width": style.width, "stroke-dasharray": style.dash || null,
          onclick: () => showRoute(rank),
        },
        svg("title", { text: routeTitle(rank, route) }),
      ),
    );
  }
  labelEnds(routes[0]);
}

/** Tonnes per year on links (a plan or a maximum flow): line width by tonnes. */
function drawFlows(flows) {
  state.flows = flows;
  const group = $("#map-routes");
  group.replaceChildren();
  const top = Math.max(...flows.map((f) => f.t_per_year), 1);
  for (const flow of [...flows].sort((a, b) => a.t_per_year - b.t_per_year)) {
    const link = state.byId.links.get(flow.link);
    if (!link) continue;
    const width = 2 + (10 * flow.t_per_year) / top;
    group.append(
      svg(
        "path",
        {
          class: "route flow", d: pathOf([link.geometry], false), "data-link": link.id,
          "data-testid": "map-flow-" + link.id, stroke: FAMILY_COLOURS[link.family] || OTHER_COLOUR,
          "stroke-width": width.toFixed(1), onclick: () => showRecord("links", link.id),
        },
        svg("title", { text: `${link.id}: ${fmt(flow.t_per_year, 0)} t/yr` }),
      ),
    );
  }
  $("#map-labels").replaceChildren();
}

function labelEnds(route) {
  const labels = $("#map-labels");
  labels.replaceChildren();
  for (const id of [route.nodes[0], route.nodes[route.nodes.length - 1]]) {
    const node = state.byId.nodes.get(id);
    const [x, y] = state.frame.xy(node.lon, node.lat);
    // The place without its description in brackets, kept inside the map: anchored to its
    // left when the text would run past the right edge (about 7.5 px a character).
    const text = nodeName(id).split(/\s*[（(]/)[0];
    const right = x + 8 + text.length * 7.5 > MAP.width;
    labels.append(
      svg("text", {
        x: (x + (right ? -8 : 8)).toFixed(1), y: Math.max(y - 8, 14).toFixed(1),
        "text-anchor": right ? "end" : "start", text,
      }, svg("title", { text: `${nodeName(id)} (${id})` })),
    );
  }
}

function routeTitle(rank, route) {
  const totals = route.totals;
  return `#${rank} ${routeLabel(route)}: USD ${fmt(totals.cost_usd_per_t, 2)}/t, ` +
    `${fmt(totals.days_mean, 1)} ${t("days")} (p95 ${fmt(totals.days_p95, 1)}), ` +
    `${fmt(totals.distance_km, 0)} km`;
}

function highlightRoute(rank) {
  document.querySelectorAll("#map-routes .route, #chart .route, #route-table tr[data-route]")
    .forEach((e) => e.classList.toggle("selected", Number(e.dataset.route) === rank));
}

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
    h("p", {}, `${t("countries")}: ${route.countries.join(", ")}`),
    h("p", {}, `${t("chokepoints")}: ${route.chokepoints.join(", ") || "—"}`),
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
  $("#route-table").replaceChildren(routeTable(data.routes));
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

function routeTable(routes) {
  const styles = routeStyles(routes);
  const head = ["rank", "route", "cost", "days_mean", "days_p95", "co2e", "distance",
    "countries", "chokepoints", "probability", "disrupted_days"];
  const rows = routes.map((r, i) => {
    const p = `route-${i + 1}-`;
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
      numCell(p + "probability", r.risk.annual_probability, 1, { scale: 100 }),
      numCell(p + "disrupted-days", r.risk.disrupted_days_per_year, 1),
    );
  });
  return h(
    "table",
    { class: "data", "data-testid": "route-table" },
    h("thead", {}, h("tr", {}, head.map((k) => h("th", { text: t("col_" + k) })))),
    h("tbody", {}, rows),
  );
}

function ruleName(premium) {
  return t("rule_" + premium.avoid.join("_"));
}

function premiumSentence(p, volume) {
  const what = ruleName(p);
  if (p.route === null) return t("premium_none", { what, reason: p.reason });
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
    "extra_days_p95", "risk_probability", "risk_days"];
  const rows = data.premium.map((p, i) => {
    const q = `premium-${i}-`;
    const label = p.route_index === null ? p.reason || "—" : routeLabel(data.routes[p.route_index]);
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
      numCell(q + "risk-probability", p.risk_change_probability, 1, { signed: true, scale: 100 }),
      numCell(q + "risk-days", p.risk_change_disrupted_days_per_year, 1, { signed: true }),
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

function unavailableList(data) {
  const entries = Object.entries(data.unavailable);
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
      h("td", { text: leg.mode }),
      h("td", { text: leg.what }),
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
    h("tr", { class: "charge" }, h("td", { colspan: 5, text: t("charge") + ": " + name }),
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

// --------------------------------------------------------------------------- chart

/** Cumulative (km, cost or days) along a route: links rise with distance, stops are steps. */
function chartPoints(route, metric) {
  let x = 0;
  let y = 0;
  const points = [[0, 0]];
  if (metric === "cost") {
    y = Object.values(route.charges_usd_per_t).reduce((a, b) => a + b, 0);
    points.push([0, y]);
  }
  for (const leg of route.legs) {
    if (leg.kind === "link") x += leg.distance_km;
    y += metric === "cost" ? leg.cost_usd_per_t : leg.days_mean;
    points.push([x, y]);
  }
  return points;
}

function niceTicks(top) {
  if (top <= 0) return [0, 1];
  const raw = top / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const n = Math.ceil(top / step - 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => i * step);
}

function drawChart() {
  const routes = state.result.routes;
  const metric = state.metric;
  const series = routes.map((r) => chartPoints(r, metric));
  const styles = routeStyles(routes);
  const { width, height, left, right, top, bottom } = CHART;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const xt = niceTicks(Math.max(...series.flat().map((p) => p[0])));
  const yt = niceTicks(Math.max(...series.flat().map((p) => p[1])));
  const xy = (x, y) => [left + (x / xt[xt.length - 1]) * plotW,
    top + plotH - (y / yt[yt.length - 1]) * plotH];
  const axes = svg("g", { class: "axes" },
    xt.map((v) => {
      const [x] = xy(v, 0);
      return svg("g", {}, svg("line", { x1: x, y1: top, x2: x, y2: top + plotH }),
        svg("text", { x, y: top + plotH + 16, "text-anchor": "middle", text: fmt(v, 0) }));
    }),
    yt.map((v) => {
      const [, y] = xy(0, v);
      return svg("g", {}, svg("line", { x1: left, y1: y, x2: left + plotW, y2: y }),
        svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", text: fmt(v, 0) }));
    }),
    svg("text", { class: "axis-title", x: left + plotW / 2, y: height - 6,
      "text-anchor": "middle", text: t("chart_x") }),
    svg("text", { class: "axis-title", transform: `translate(14 ${top + plotH / 2}) rotate(-90)`,
      "text-anchor": "middle", text: t(metric === "cost" ? "chart_y_cost" : "chart_y_days") }));
  const lines = series.map((pts, i) =>
    svg("polyline", {
      class: "route", "data-route": i + 1, "data-testid": "chart-route-" + (i + 1),
      points: pts.map((p) => xy(...p).map((v) => v.toFixed(1)).join(",")).join(" "),
      stroke: styles[i].colour, "stroke-dasharray": styles[i].dash || null,
      "stroke-width": i === 0 ? 3 : 2,
    }, svg("title", { text: routeTitle(i + 1, routes[i]) })));
  $("#chart").replaceChildren(svg("svg", {
    viewBox: `0 0 ${width} ${height}`, role: "img", "data-testid": "chart-svg",
    "aria-label": t(metric === "cost" ? "chart_y_cost" : "chart_y_days"),
  }, axes, svg("g", { class: "lines" }, lines.reverse())));
  document.querySelectorAll("#chart-controls button").forEach((b) =>
    b.setAttribute("aria-pressed", String(b.dataset.metric === metric)));
}

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
    const response = await fetch(path, { method: body ? "POST" : "GET", headers,
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

// --------------------------------------------------------------------------- language

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-i18n]").forEach((e) => {
    e.textContent = t(e.dataset.i18n);
  });
  document.querySelectorAll("#lang button").forEach((b) =>
    b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang)));
}

function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("corridor-lang", lang);
  applyLanguage();
  fillCommodities();
  fillDestinations();
  fillAvoid();
  drawBaseMap();
  renderResult();
  renderJobs();
  loadRuns();
}

// --------------------------------------------------------------------------- start

async function loadData() {
  const [info, en, ja, countries, ...tables] = await Promise.all([
    call("GET", "/api/info"),
    call("GET", "/static/i18n/en.json"),
    call("GET", "/static/i18n/ja.json"),
    call("GET", "/api/geo/countries"),
    ...TABLES.map((table) => call("GET", "/api/network/" + table)),
  ]);
  state.info = info;
  state.i18n = { en, ja };
  state.countries = countries;
  TABLES.forEach((table, i) => {
    state.net[table] = tables[i];
    state.byId[table] = new Map(tables[i].map((r) => [r.id, r]));
  });
}

function bindEvents() {
  $("#query-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runQuery(event.submitter ? event.submitter.value : "compare");
  });
  $("#commodity").addEventListener("change", fillOrigins);
  $("#job-start").addEventListener("click", () => startJob("batch_compare", batchParams()));
  $("#job-plan").addEventListener("click", () => startJob("plan", planParams()));
  $("#job-stress").addEventListener("click", () => startJob("stress", stressParams()));
  document.querySelectorAll("#lang button").forEach((b) =>
    b.addEventListener("click", () => setLanguage(b.dataset.lang)));
  document.querySelectorAll("#chart-controls button").forEach((b) =>
    b.addEventListener("click", () => {
      state.metric = b.dataset.metric;
      drawChart();
    }));
  $("#token").addEventListener("change", (event) =>
    sessionStorage.setItem("corridor-token", event.target.value.trim()));
}

// Beyond loopback (or behind a proxy with --require-token) every API call but the health
// check needs the token: ask for it before loading anything.
async function askToken() {
  const health = await call("GET", "/api/health");
  if (!health.reads_need_token || sessionStorage.getItem("corridor-token")) return;
  $("#token-row").hidden = false;
  setStatus("corridor: this server needs an access token", true);
  await new Promise((resolve) =>
    $("#token").addEventListener("change", (event) => {
      sessionStorage.setItem("corridor-token", event.target.value.trim());
      resolve();
    }, { once: true }));
  setStatus("");
}

async function init() {
  try {
    await askToken();
    await loadData();
  } catch (error) {
    if (error.status === 401 || error.status === 403) {
      sessionStorage.removeItem("corridor-token");
      $("#token-row").hidden = false;
    }
    setStatus("corridor: " + error.message, true);
    return;
  }
  $("#k").max = state.info.limits.max_k;
  $("#token-row").hidden = !state.info.token_required;
  $("#token").value = sessionStorage.getItem("corridor-token") || "";
  $("#network-origin").textContent = state.info.network;
  $("#run-capacity").hidden = !state.info.features.planning;
  $("#job-plan").hidden = !state.info.features.planning;
  $("#job-stress").hidden = !state.info.features.stress;
  $("#runs").hidden = !state.info.features.runs;
  bindEvents();
  setLanguage(localStorage.getItem("corridor-lang") === "ja" ? "ja" : "en");
  await loadJobs();
  document.body.dataset.ready = "true";
}

init();
