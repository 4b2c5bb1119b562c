// corridor web page: plain JavaScript, no build step, nothing loaded from outside this server.
// Every number shown comes from the REST API unchanged; each carries its raw value in
// data-value and a stable data-testid, so tests can check the page against the API.
// The page's scripts share one global scope and are loaded in order (index.html):
// js/core.js (constants, state, helpers, API calls), form, map, results, chart, jobs,
// runs, then app.js (language and start).
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
const TABLES = ["nodes", "links", "commodities", "exposures", "events", "sources"];

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

/** A disruption event by name (its id where the tables have none). */
function eventName(id) {
  return localName(state.byId.events.get(id)) || id;
}

function nodeName(id) {
  return localName(state.byId.nodes.get(id)) || id;
}

/** A list as the page's language writes one ("A, B" / "A、B"). */
function listOf(items) {
  return items.join(state.lang === "ja" ? "、" : ", ");
}

/** Names of countries or chokepoints. */
function exposureNames(ids) {
  return listOf(ids.map((id) => localName(state.byId.exposures.get(id)) || id));
}

/** Names of countries or chokepoints (ids on hover). */
function exposureCell(ids) {
  return h("td", { title: ids.join(" "), text: exposureNames(ids) });
}

/** A word of the data ("rail", "insurance") in the page's language, by its key
 * (prefix_word); the word itself where the page's catalogue has none. */
function dataWord(prefix, word) {
  return state.i18n[state.lang][prefix + "_" + word] ?? word;
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
