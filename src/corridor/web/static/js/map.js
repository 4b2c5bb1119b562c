// corridor web page — the map: base map of country outlines, the network, routes and flows on it.
"use strict";

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
    // The place without its description in brackets, kept inside the map: placed to the
    // right of its node, turned to the left when its measured width (the browser's own text
    // layout, halo included) would run past the right edge, and never past the left one.
    const text = nodeName(id).split(/\s*[（(]/)[0];
    const label = svg("text", {
      x: (x + 8).toFixed(1), y: Math.max(y - 8, 16).toFixed(1), "text-anchor": "start",
      "data-testid": "map-label", text,
    }, svg("title", { text: `${nodeName(id)} (${id})` }));
    labels.append(label);
    placeInside(label, x);
  }
}

function placeInside(label, x) {
  const halo = 4;  // the white stroke around the letters (stroke-width 3) and a margin
  const measured = label.getComputedTextLength();
  const width = (measured > 0 ? measured : label.textContent.length * 14) + halo;
  if (x + 8 + width <= MAP.width) return;
  const left = Math.max(x - 8 - width, 0) + halo / 2;
  label.setAttribute("x", left.toFixed(1));
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
