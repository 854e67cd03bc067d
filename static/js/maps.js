// Jiceng maps (Leaflet). Grids are drawn as SVG polygons on a plain background; a tile layer is added
// only when the installation configures MAP_TILE_URL.
(function () {
  "use strict";

  // Distinct, print-friendly colours; communities take them in code order.
  var PALETTE = [
    "#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4f46e5",
    "#059669", "#dc2626", "#65a30d", "#0d9488", "#c026d3", "#b45309", "#475569", "#7c3aed",
  ];

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function formatNumber(n) {
    return (n == null ? 0 : n).toLocaleString(document.documentElement.lang || undefined);
  }

  function baseMap(el) {
    var tileUrl = el.dataset.tileUrl;
    L.Control.Zoom.mergeOptions({ zoomInTitle: document.body.dataset.zoomIn || "Zoom in",
      zoomOutTitle: document.body.dataset.zoomOut || "Zoom out" });  // translated in base.html
    var map = L.map(el, {
      preferCanvas: false,
      attributionControl: Boolean(tileUrl),
      zoomSnap: 0.25,
      minZoom: 3,
      maxZoom: 19,
    });
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    map.setView([35, 105], 4);
    return map;
  }

  function setStatus(el, text) {
    var status = el.parentNode.querySelector(".map-status");
    if (!status) return;
    status.textContent = text || "";
    status.hidden = !text;
  }

  // Colours for communities such that neighbours (overlapping extents) differ where the palette
  // allows: greedy colouring, most-connected community first.
  function neighbourColours(features) {
    var boxes = {};
    features.forEach(function (f) {
      var code = f.properties.group;
      var b = L.geoJSON(f).getBounds();
      boxes[code] = boxes[code] ? boxes[code].extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    });
    var codes = Object.keys(boxes).sort();
    var neighbours = {};
    codes.forEach(function (a) { neighbours[a] = []; });
    codes.forEach(function (a, i) {
      for (var j = i + 1; j < codes.length; j++) {
        if (boxes[a].intersects(boxes[codes[j]])) {
          neighbours[a].push(codes[j]);
          neighbours[codes[j]].push(a);
        }
      }
    });
    var order = codes.slice().sort(function (a, b) {
      return neighbours[b].length - neighbours[a].length || (a < b ? -1 : 1);
    });
    var colours = {};
    var uses = {};
    PALETTE.forEach(function (c) { uses[c] = 0; });
    function leastUsed(candidates) {
      return candidates.reduce(function (best, c) { return uses[c] < uses[best] ? c : best; });
    }
    order.forEach(function (code) {
      var byNeighbours = {};
      PALETTE.forEach(function (c) { byNeighbours[c] = 0; });
      neighbours[code].forEach(function (n) { if (colours[n]) byNeighbours[colours[n]] += 1; });
      var free = PALETTE.filter(function (c) { return !byNeighbours[c]; });
      // Spread the palette: the free colour used least so far; else the one fewest neighbours have.
      var colour = free.length ? leastUsed(free) : PALETTE.reduce(function (best, c) {
        return byNeighbours[c] < byNeighbours[best] ? c : best;
      });
      colours[code] = colour;
      uses[colour] += 1;
    });
    return colours;
  }

  function gridTooltip(props, t) {
    return '<div class="map-tooltip"><strong>' + escapeHtml(props.name) + "</strong>" +
      escapeHtml(t.code) + ": " + escapeHtml(props.code) + "<br>" +
      escapeHtml(t.residents) + ": " + escapeHtml(formatNumber(props.resident_count)) +
      (props.community_name ? "<br>" + escapeHtml(t.community) + ": " + escapeHtml(props.community_name) : "") +
      "</div>";
  }

  function gridLayer(data, colours, t) {
    return L.geoJSON(data, {
      style: function (feature) {
        var colour = colours[feature.properties.group] || PALETTE[0];
        return { color: colour, weight: 1.2, opacity: 0.9, fillColor: colour, fillOpacity: 0.35 };
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(gridTooltip(feature.properties, t), { sticky: true, direction: "top", opacity: 0.95 });
        layer.on("mouseover", function () { layer.setStyle({ weight: 3, fillOpacity: 0.55 }); });
        layer.on("mouseout", function () { layer.setStyle({ weight: 1.2, fillOpacity: 0.35 }); });
        layer.on("click", function () { if (feature.properties.url) window.location.href = feature.properties.url; });
      },
    });
  }

  function legendControl(communities, colours, t) {
    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "map-legend");
        var items = communities.map(function (c) {
          return '<li title="' + escapeHtml(c.name) + '"><span class="swatch" style="background:' + colours[c.code] +
            '"></span>' + escapeHtml(c.name || t.noCommunity) + ' <span class="muted">(' + c.count + ")</span></li>";
        });
        var open = window.matchMedia("(min-width: 700px)").matches ? " open" : "";
        div.innerHTML = "<details" + open + "><summary>" + escapeHtml(t.legend) + " (" + communities.length + ")</summary><ul>" +
          items.join("") + "</ul></details>";
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      },
    });
    return new Legend();
  }

  function outlineOverlay(map, url, style) {
    var layer = L.geoJSON(null, {
      style: function () { return style; },
      interactive: false,
    });
    var loaded = false;
    map.on("overlayadd", function (event) {
      if (event.layer !== layer || loaded) return;
      loaded = true;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { layer.addData(data); layer.bringToFront(); });
    });
    return layer;
  }

  function gridMap(el) {
    var t = readJson(el.dataset.labels) || {};
    var map = baseMap(el);
    setStatus(el, t.loading);
    fetch(el.dataset.gridsUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (data) {
        var byCode = {};
        data.features.forEach(function (f) {
          var p = f.properties;
          if (!byCode[p.community_code]) byCode[p.community_code] = { code: p.community_code, name: p.community_name, count: 0 };
          byCode[p.community_code].count += 1;
        });
        var communities = Object.keys(byCode).sort().map(function (k) { return byCode[k]; });
        var colours = neighbourColours(data.features);
        if (!data.features.length) {
          setStatus(el, t.empty);
          return;
        }
        setStatus(el, "");
        var grids = gridLayer(data, colours, t).addTo(map);
        map.fitBounds(grids.getBounds(), { padding: [16, 16] });
        legendControl(communities, colours, t).addTo(map);
        var overlays = {};
        overlays[escapeHtml(t.streets)] = outlineOverlay(map, el.dataset.streetsUrl,
          { color: "#111827", weight: 3, opacity: 0.85, fill: false, dashArray: "6 4" });
        overlays[escapeHtml(t.communities)] = outlineOverlay(map, el.dataset.communitiesUrl,
          { color: "#374151", weight: 2, opacity: 0.9, fill: false });
        L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);
        el.dataset.gridCount = String(data.features.length);
      })
      .catch(function () { setStatus(el, t.failed); });
  }

  function placeMap(el) {
    var t = readJson(el.dataset.labels) || {};
    var data = readJson(el.dataset.features);
    var map = baseMap(el);
    if (!data || !data.features.length) {
      setStatus(el, t.empty);
      return;
    }
    var own = data.features.filter(function (f) { return f.properties.self; });
    var grids = { type: "FeatureCollection", features: data.features.filter(function (f) { return !f.properties.self; }) };
    var layers = [];
    if (grids.features.length) layers.push(gridLayer(grids, neighbourColours(grids.features), t).addTo(map));
    if (own.length) {
      var ownIsGrid = el.dataset.level === "grid";
      layers.push(L.geoJSON({ type: "FeatureCollection", features: own }, {
        style: function () {
          return ownIsGrid
            ? { color: PALETTE[0], weight: 2.5, fillColor: PALETTE[0], fillOpacity: 0.3 }
            : { color: "#111827", weight: 2.5, fill: false, dashArray: "6 4" };
        },
        interactive: false,
      }).addTo(map));
    }
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [16, 16] });
  }

  function init() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-grid-map]").forEach(gridMap);
    document.querySelectorAll("[data-place-map]").forEach(placeMap);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
