// corridor web page — the time/cost-distance chart of the routes (UNESCAP style).
"use strict";

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
