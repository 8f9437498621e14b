// The map of the testimonies (docs/maps.md): Syria's governorates from the
// vendored boundaries, no tiles, and the search's testimonies in clusters
// by governorate, district or town as the reader zooms. Every number comes
// from the page's own data (the server's, as in the tables below it); each
// cluster is a link to the search for its place, so Tab reaches it and
// Enter opens it. Nothing here asks anything of another site.
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("archive-map");
  if (!holder || typeof L === "undefined") return;
  // The words, in the reader's language (search/includes/map_canvas.html).
  var words = holder.dataset;
  var levelNames = {
    governorate: words.levelGovernorate, district: words.levelDistrict, town: words.levelTown,
  };
  var status = document.getElementById("map-level");
  // The page's own data, or the API's for this page's search (the small
  // map of an incident).
  var dataNode = document.getElementById("map-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : null;

  var map = L.map(holder, {
    // Fractional zoom, so that the country fills the frame; each step of
    // the zoom buttons or keys is still a whole level.
    zoomSnap: 0.25,
    zoomDelta: 1,
    minZoom: 5.5,
    maxZoom: 12,
    attributionControl: true,
    zoomControl: false,
  });
  // The zoom buttons in the reader's language, at the start of the line.
  L.control.zoom({
    position: document.documentElement.dir === "rtl" ? "topright" : "topleft",
    zoomInTitle: words.zoomIn,
    zoomOutTitle: words.zoomOut,
  }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth");
  var syria = L.latLngBounds([32.3, 35.6], [37.4, 42.4]);
  map.fitBounds(syria);
  // Each step in from the whole country shows the next level: districts,
  // then towns, whatever the size of the screen.
  var whole = map.getZoom();
  map.setMaxBounds(syria.pad(0.3));

  var labels = {};  // label points of the governorates, by ISO code
  // The API answers in the language asked for: the page's own (its URL's),
  // not the browser's (docs/languages.md).
  var counted = data ? Promise.resolve(data) : fetch(holder.dataset.source, {
    credentials: "same-origin",
    headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang },
  }).then(function (response) { return response.json(); });
  counted.then(function (answer) {
    data = answer;
    return fetch(holder.dataset.boundaries, { credentials: "same-origin" });
  })
    .then(function (response) { return response.json(); })
    .then(function (boundaries) {
      boundaries.features.forEach(function (feature) {
        var code = feature.properties.code;
        if (code) labels[code] = feature.properties.label;
      });
      L.geoJSON(boundaries, {
        interactive: false,
        style: function () {
          return { color: "#7a6f5d", weight: 1, fillColor: "#efe9dc", fillOpacity: 1 };
        },
      }).addTo(map);
      draw();
    })
    .catch(function () { if (data) draw(); });

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function levelFor(zoom) {
    if (zoom >= whole + 2) return "town";
    if (zoom >= whole + 1) return "district";
    return "governorate";
  }

  var layer = L.layerGroup().addTo(map);
  var shown = null;

  function position(point) {
    if (point.latitude !== null && point.longitude !== null) {
      return [point.latitude, point.longitude];
    }
    return labels[point.governorate_code] || null;
  }

  // A cluster is a link, so that the keyboard and assistive technology
  // reach it as what it is; its size grows with the count, and testimonies
  // (circles) and incidents (squares, beside them) differ in shape, never
  // in colour alone.
  function cluster(point, incidents) {
    var count = incidents ? point.incidents : point.count;
    var size = 28 + Math.min(24, Math.round(Math.sqrt(count) * 4));
    var sentence = incidents
      ? (point.at_level ? words.incidents : words.incidentsCoarser)
      : (point.at_level ? words.testimonies : words.coarser);
    var text = format(sentence, { count: count.toLocaleString("en"), place: point.name });
    var link = document.createElement("a");
    link.className = (incidents ? "map-cluster map-incidents" : "map-cluster") +
      (point.at_level ? "" : " map-cluster-coarser");
    link.href = incidents ? point.incidents_url : point.search_url;
    link.setAttribute("aria-label", text);
    link.title = text;
    link.dataset.place = point.slug;
    link.textContent = count.toLocaleString("en");
    // Incidents stand just beside the testimonies of the same place, above;
    // what is known only to a larger area, below (an area may be placed
    // where its one town is).
    var anchor = incidents ? [-12, size + 12] : [size / 2, size / 2];
    if (!point.at_level) anchor = incidents ? [-12, -12] : [size + 12, -12];
    var icon = L.divIcon({
      html: link, className: "map-cluster-holder", iconSize: [size, size], iconAnchor: anchor,
    });
    return L.marker(position(point), { icon: icon, keyboard: false, title: "" });
  }

  function draw() {
    var level = levelFor(map.getZoom());
    if (level === shown) return;
    shown = level;
    layer.clearLayers();
    // An error answered instead (a refused parameter, a rate limit) draws
    // no cluster.
    var points = (data && data.levels && data.levels[level]) || [];
    points.forEach(function (point) {
      if (!position(point)) return;
      if (point.count) layer.addLayer(cluster(point, false));
      if (point.incidents) layer.addLayer(cluster(point, true));
    });
    holder.dataset.level = level;
    if (status) status.textContent = format(words.shownBy, { level: levelNames[level] });
  }

  map.on("zoomend", draw);
});
