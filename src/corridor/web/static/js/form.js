// corridor web page — the query form: its lists, the request bodies it builds, and running a query.
"use strict";

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
