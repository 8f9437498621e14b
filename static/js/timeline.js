// The timeline of the testimonies (docs/maps.md), drawn in plain SVG from
// the page's own data (the server's, as in the table below it): a stacked
// bar per month, by event type; below them, bands for the dates known only
// to the year or over several months, never spread onto months or days.
// Choosing a range (drag with the mouse, or the arrow keys, Shift to widen)
// gives the link to the search of those dates; Enter follows it.
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("archive-timeline");
  if (!holder) return;
  // The page's own data, or the API's for this page's search (the small
  // timeline of an incident).
  var dataNode = document.getElementById("timeline-data");
  if (dataNode) {
    drawTimeline(holder, JSON.parse(dataNode.textContent));
  } else if (holder.dataset.source) {
    // The API answers in the language asked for: the page's own (its URL's),
    // not the browser's (docs/languages.md).
    fetch(holder.dataset.source, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang },
    })
      .then(function (response) { return response.json(); })
      .then(function (data) { drawTimeline(holder, data); });
  }
});

function drawTimeline(holder, data) {
  if (!data || !data.months) return;  // an error answered instead
  // The words, in the reader's language (search/includes/timeline_canvas.html).
  var words = holder.dataset;
  var link = document.getElementById("timeline-range");
  var status = document.getElementById("timeline-status");
  var rtl = document.documentElement.dir === "rtl";
  var SVG = "http://www.w3.org/2000/svg";
  // Okabe and Ito's palette, then Paul Tol's: told apart with the common
  // colour blindnesses (the table below holds the same numbers).
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00",
    "#56B4E9", "#F0E442", "#000000", "#882255", "#44AA99", "#999933",
    "#332288", "#AA4499", "#DDCC77"];

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  // Every month of the span, "YYYY-MM".
  var months = [];
  var first = data.first_month.split("-").map(Number);
  var last = data.last_month.split("-").map(Number);
  for (var y = first[0], m = first[1]; y < last[0] || (y === last[0] && m <= last[1]);) {
    months.push(y + "-" + (m < 10 ? "0" : "") + m);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  var index = {};
  months.forEach(function (month, i) { index[month] = i; });
  // Month names as the server writes dates for this reader (Syrian or
  // Egyptian in Arabic: archive/formats/month_names.py), Western digits.
  var monthNames = words.monthNames.split("|");
  function monthLabel(month) {
    var parts = month.split("-");
    return monthNames[Number(parts[1]) - 1] + " " + parts[0];
  }

  var types = data.event_types.map(function (t) { return t.slug; });
  var names = {};
  data.event_types.forEach(function (t) { names[t.slug] = t.name; });
  var untyped = data.months.some(function (m) { return "" in m.by_event_type; }) ||
    data.spans.some(function (s) { return "" in s.by_event_type; });
  if (untyped) { types.push(""); names[""] = words.noType; }
  var colour = {};
  types.forEach(function (slug, i) { colour[slug] = COLOURS[i % COLOURS.length]; });

  var STEP = 6, BAR = 5, PAD = 12, BARS_HEIGHT = 180, AXIS = 22, LANE = 12;
  var width = PAD * 2 + months.length * STEP;
  var highest = 1;
  var byMonth = {};
  data.months.forEach(function (m) {
    byMonth[m.month] = m;
    var stacked = 0;
    for (var slug in m.by_event_type) stacked += m.by_event_type[slug];
    highest = Math.max(highest, stacked);
  });
  // Bands go in lanes, none overlapping another in its lane.
  function inLanes(spans, lanes) {
    spans.forEach(function (span) {
      var from = index[span.first], to = index[span.last];
      var lane = lanes.findIndex(function (end) { return end < from; });
      if (lane < 0) { lane = lanes.length; lanes.push(to); } else { lanes[lane] = to; }
      span.lane = lane;
    });
    return lanes;
  }
  // The incidents: a row of squares for those dated within a month, their
  // bands beneath; then the testimonies' bands.
  var incidents = data.incidents || { months: [], spans: [] };
  var incidentLanes = incidents.months.length || incidents.spans.length
    ? inLanes(incidents.spans, [-1]) : [];
  var lanes = inLanes(data.spans, []);
  var incidentsTop = PAD + BARS_HEIGHT + AXIS + (incidentLanes.length ? 16 : 0);
  var bandsTop = incidentsTop + incidentLanes.length * LANE + (lanes.length ? 16 : 0);
  var height = bandsTop + lanes.length * LANE + PAD;

  function x(i) {
    return rtl ? PAD + (months.length - 1 - i) * STEP : PAD + i * STEP;
  }
  function element(name, attributes, parent) {
    var node = document.createElementNS(SVG, name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function titled(node, text) {
    element("title", {}, node).textContent = text;
  }

  var svg = element("svg", {
    width: width, height: height, viewBox: "0 0 " + width + " " + height,
    // Anchors below are placed for either reading direction by hand.
    direction: "ltr",
    tabindex: "0", role: "slider", "aria-label": words.chart,
    "aria-describedby": "timeline-help", "aria-valuemin": "0",
    "aria-valuemax": String(months.length - 1),
  });
  var brush = element("rect", { class: "timeline-brush", y: PAD, height: height - 2 * PAD, visibility: "hidden" }, svg);

  // The months' stacked bars.
  months.forEach(function (month, i) {
    var entry = byMonth[month];
    if (!entry) return;
    var group = element("g", { "data-month": month }, svg);
    titled(group, format(words.month, { month: monthLabel(month), count: entry.count }));
    var top = PAD + BARS_HEIGHT;
    types.forEach(function (slug) {
      var count = entry.by_event_type[slug] || 0;
      if (!count) return;
      var h = count / highest * BARS_HEIGHT;
      top -= h;
      element("rect", { x: x(i), y: top, width: BAR, height: h, fill: colour[slug] }, group);
    });
  });

  // The axis: a tick and the year at each January.
  var axisY = PAD + BARS_HEIGHT;
  element("line", { x1: PAD - 2, x2: width - PAD + 2, y1: axisY, y2: axisY, stroke: "#5b6472" }, svg);
  months.forEach(function (month, i) {
    if (!month.endsWith("-01")) return;
    element("line", { x1: x(i), x2: x(i), y1: axisY, y2: axisY + 5, stroke: "#5b6472" }, svg);
    var label = element("text", { x: x(i) + (rtl ? -2 : 2), y: axisY + 16, class: "timeline-axis", "text-anchor": rtl ? "end" : "start" }, svg);
    label.textContent = month.slice(0, 4);
  });

  // The incidents' row.
  if (incidentLanes.length) {
    var heading = element("text", { x: rtl ? width - PAD : PAD, y: incidentsTop - 4, class: "timeline-axis", "text-anchor": rtl ? "end" : "start" }, svg);
    heading.textContent = words.incidents;
  }
  incidents.months.forEach(function (entry) {
    var mark = element("rect", {
      x: x(index[entry.month]), y: incidentsTop, width: BAR + 1, height: LANE - 3,
      class: "timeline-incident", "data-incident-month": entry.month,
    }, svg);
    titled(mark, format(words.incidentsIn, { month: monthLabel(entry.month), count: entry.count }));
  });
  incidents.spans.forEach(function (span) {
    var from = index[span.first], to = index[span.last];
    var band = element("rect", {
      x: Math.min(x(from), x(to)), y: incidentsTop + span.lane * LANE,
      width: Math.abs(x(to) - x(from)) + BAR, height: LANE - 3,
      class: "timeline-incident timeline-band", "data-incident-span": span.first + "/" + span.last,
    }, svg);
    titled(band, format(words.incidentsIn, {
      month: monthLabel(span.first) + " – " + monthLabel(span.last), count: span.count,
    }));
  });

  // The bands: one per span of months, its colour its first event type.
  if (lanes.length) {
    var caption = element("text", { x: rtl ? width - PAD : PAD, y: bandsTop - 4, class: "timeline-axis", "text-anchor": rtl ? "end" : "start" }, svg);
    caption.textContent = words.bands;
  }
  data.spans.forEach(function (span) {
    var from = index[span.first], to = index[span.last];
    var left = Math.min(x(from), x(to));
    var slug = types.find(function (s) { return span.by_event_type[s]; });
    var band = element("rect", {
      x: left, y: bandsTop + span.lane * LANE, width: Math.abs(x(to) - x(from)) + BAR,
      height: LANE - 3, fill: colour[slug], class: "timeline-band", "data-span": span.first + "/" + span.last,
    }, svg);
    titled(band, format(words.month, {
      month: monthLabel(span.first) + " – " + monthLabel(span.last), count: span.count,
    }));
  });
  var cursor = element("rect", { class: "timeline-cursor", y: PAD, width: STEP + 1, height: BARS_HEIGHT, visibility: "hidden" }, svg);
  holder.appendChild(svg);

  // The legend, in the reader's language and direction.
  var legend = document.createElement("ul");
  legend.className = "timeline-legend";
  types.forEach(function (slug) {
    var item = document.createElement("li");
    var swatch = element("svg", { width: "14", height: "14", "aria-hidden": "true" });
    element("rect", { width: "14", height: "14", rx: "2", fill: colour[slug] }, swatch);
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(names[slug]));
    legend.appendChild(item);
  });
  holder.appendChild(legend);

  // Choosing a range.
  // The cursor starts at the latest month with testimonies.
  var anchor = null;
  var at = data.months.length ? index[data.months[data.months.length - 1].month] : months.length - 1;
  // A slider always says where it stands, before any key is pressed.
  svg.setAttribute("aria-valuenow", String(at));
  svg.setAttribute("aria-valuetext", monthLabel(months[at]));

  function lastDay(month) {
    var parts = month.split("-").map(Number);
    return new Date(Date.UTC(parts[0], parts[1], 0)).getUTCDate();
  }
  function show() {
    var from = Math.min(anchor, at), to = Math.max(anchor, at);
    var left = Math.min(x(from), x(to));
    brush.setAttribute("x", left - 1);
    brush.setAttribute("width", Math.abs(x(to) - x(from)) + STEP + 1);
    brush.setAttribute("visibility", "visible");
    cursor.setAttribute("x", x(at) - 1);
    cursor.setAttribute("visibility", "visible");
    var range = { first: monthLabel(months[from]), last: monthLabel(months[to]) };
    var url = new URL(data.search_url, window.location.href);
    url.searchParams.set("date_from", months[from] + "-01");
    url.searchParams.set("date_to", months[to] + "-" + lastDay(months[to]));
    link.href = url.pathname + url.search;
    link.textContent = format(words.search, range);
    link.hidden = false;
    var count = byMonth[months[at]] ? byMonth[months[at]].count : 0;
    var text = format(words.chosen, range);
    svg.setAttribute("aria-valuenow", String(at));
    svg.setAttribute("aria-valuetext", format(words.month, { month: monthLabel(months[at]), count: count }) + "; " + text);
    status.textContent = text;
  }

  function monthAt(event) {
    var box = svg.getBoundingClientRect();
    var offset = (event.clientX - box.left) * (width / box.width) - PAD;
    var i = Math.floor(offset / STEP);
    if (rtl) i = months.length - 1 - i;
    return Math.max(0, Math.min(months.length - 1, i));
  }
  var dragging = false;
  svg.addEventListener("pointerdown", function (event) {
    dragging = true;
    anchor = at = monthAt(event);
    svg.setPointerCapture(event.pointerId);
    show();
  });
  svg.addEventListener("pointermove", function (event) {
    if (!dragging) return;
    at = monthAt(event);
    show();
  });
  svg.addEventListener("pointerup", function (event) {
    if (!dragging) return;
    dragging = false;
    at = monthAt(event);
    show();
  });

  svg.addEventListener("keydown", function (event) {
    var later = { ArrowUp: 1, ArrowDown: -1, PageUp: 12, PageDown: -12 };
    later[rtl ? "ArrowLeft" : "ArrowRight"] = 1;
    later[rtl ? "ArrowRight" : "ArrowLeft"] = -1;
    if (event.key === "Enter" && anchor !== null) {
      window.location.href = link.href;
      event.preventDefault();
      return;
    }
    var move = later[event.key];
    if (event.key === "Home") move = -at;
    if (event.key === "End") move = months.length - 1 - at;
    if (move === undefined) return;
    event.preventDefault();
    if (anchor === null) anchor = at;  // a range widens from where it stood
    at = Math.max(0, Math.min(months.length - 1, at + move));
    if (!event.shiftKey) anchor = at;
    show();
  });
}
