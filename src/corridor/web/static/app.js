// corridor web page — language and start: loads the network and binds the page (loaded last).
"use strict";

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
