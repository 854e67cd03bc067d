// Jiceng dashboards and the wall display: ECharts charts and a Leaflet map drawn from the JSON the page
// carries (#dashboard-data); the wall display fetches fresh JSON every data-refresh-seconds.
(function () {
  "use strict";

  var WORSE = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603"];   // more is worse
  var BETTER = ["#b2182b", "#ef8a62", "#fddbc7", "#a6dba0", "#1b7837"];  // more is better (rates)
  var NO_VALUE = "#d9dde3";
  var BLUE = "#1a56b8", GREEN = "#16a34a", ORANGE = "#ea580c";
  // Warning layer: a colour per kind of hotspot (intake/hotspots.py).
  var HOTSPOT_COLOURS = { cluster: "#dc2626", place: "#ea580c", topic: "#9333ea", repeat_petition: "#0e7490",
    repeat_dispute: "#0f766e" };

  var wall = document.body.classList.contains("wall");
  var charts = {};

  function readData() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function textColour() { return wall ? "#c9d6ea" : "#475569"; }

  function chart(name) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el || !window.echarts) return null;
    if (!charts[name]) charts[name] = echarts.init(el, wall ? "dark" : null, { renderer: "canvas" });
    return charts[name];
  }

  function base() {
    return {
      backgroundColor: "transparent",
      textStyle: { color: textColour() },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    };
  }

  function drawTrend(data) {
    var c = chart("trend");
    if (!c) return;
    var option = base();
    option.legend = { top: 0, textStyle: { color: textColour() } };
    option.xAxis = { type: "category", data: data.trend.labels, boundaryGap: false };
    option.yAxis = { type: "value", minInterval: 1 };
    option.series = [
      { name: data.labels.reported, type: "line", smooth: 0.2, data: data.trend.reported, areaStyle: { opacity: 0.15 },
        itemStyle: { color: BLUE }, showSymbol: false },
      { name: data.labels.closed, type: "line", smooth: 0.2, data: data.trend.closed, itemStyle: { color: GREEN },
        showSymbol: false },
    ];
    c.setOption(option, true);
  }

  function drawCategories(data) {
    var c = chart("categories");
    if (!c) return;
    var rows = data.categories.slice(0, 10);
    var option = base();
    option.legend = { top: 0, textStyle: { color: textColour() } };
    option.xAxis = { type: "value", minInterval: 1 };
    option.yAxis = { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
      axisLabel: { width: 80, overflow: "truncate" } };
    option.series = [
      { name: data.labels.reported, type: "bar", data: rows.map(function (r) { return r.reported; }), itemStyle: { color: BLUE } },
      { name: data.labels.closed, type: "bar", data: rows.map(function (r) { return r.closed; }), itemStyle: { color: GREEN } },
    ];
    c.setOption(option, true);
  }

  function drawChildren(data) {
    var c = chart("children");
    if (!c) return;
    var rows = data.children.slice(0, 20);
    var option = base();
    option.legend = { top: 0, textStyle: { color: textColour() } };
    option.xAxis = { type: "value", minInterval: 1 };
    option.yAxis = { type: "category", inverse: true, data: rows.map(function (r) { return r.short; }),
      axisLabel: { width: 90, overflow: "truncate" } };
    option.series = [
      { name: data.labels.reported, type: "bar", data: rows.map(function (r) { return r.reported; }), itemStyle: { color: BLUE } },
      { name: data.labels.open, type: "bar", data: rows.map(function (r) { return r.open; }), itemStyle: { color: ORANGE } },
    ];
    c.setOption(option, true);
    c.off("click");
    c.on("click", function (params) {
      var row = rows[params.dataIndex];
      if (row && row.url && !wall) window.location.href = row.url;
    });
  }

  function drawKpis(data) {
    data.kpis.forEach(function (kpi) {
      document.querySelectorAll('[data-kpi="' + kpi.key + '"]').forEach(function (el) {
        el.textContent = kpi.value == null ? "—" : kpi.value + kpi.unit;
      });
    });
    document.querySelectorAll("[data-generated]").forEach(function (el) { el.textContent = data.generated_at; });
    var latest = document.querySelector("[data-latest]");
    if (latest) {
      latest.innerHTML = data.latest.map(function (c) {
        return '<li><span class="dash-latest-title">' + escapeHtml(c.title) + '</span><span class="dash-latest-meta">' +
          escapeHtml(c.reported_at) + " · " + escapeHtml(c.place) + " · " + escapeHtml(c.status) + "</span></li>";
      }).join("");
    }
  }

  function drawAll(data) {
    drawKpis(data);
    drawTrend(data);
    drawCategories(data);
    drawChildren(data);
  }

  // --- The map -----------------------------------------------------------------------------------
  // Upper bounds of up to five classes of equal counts (quintiles), without repeats.
  function breaks(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var result = [];
    for (var i = 1; i < 5 && sorted.length; i++) {
      var cut = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * i / 5))];
      if (cut < sorted[sorted.length - 1] && result.indexOf(cut) < 0) result.push(cut);
    }
    return result;
  }

  // The colour of a class: the palette's ends and, between, evenly spread. With one class only (every
  // grid the same) nothing at all (0) takes the low end: a district without reports is not all dark.
  function colourOf(i, cuts, palette, lowest) {
    if (!cuts.length) return palette[lowest === 0 ? 0 : palette.length - 1];
    return palette[Math.round(i * (palette.length - 1) / cuts.length)];
  }

  function classOf(value, cuts) {
    var i = 0;
    while (i < cuts.length && value > cuts[i]) i++;
    return i;
  }

  function DashboardMap(el) {
    this.el = el;
    this.status = el.parentNode.querySelector(".map-status");
    this.figureSelect = document.querySelector("[data-map-figure]");
    this.layerSelect = document.querySelector("[data-map-layer]");
    this.layerKind = this.layerSelect ? this.layerSelect.value : (el.dataset.initialLayer || "heat");
    var tileUrl = el.dataset.tileUrl;
    L.Control.Zoom.mergeOptions({ zoomInTitle: document.body.dataset.zoomIn || "Zoom in",
      zoomOutTitle: document.body.dataset.zoomOut || "Zoom out" });
    this.map = L.map(el, { attributionControl: Boolean(tileUrl), zoomSnap: 0.25, preferCanvas: true });
    if (tileUrl) L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(this.map);
    this.map.setView([35, 105], 4);
    // Grids lie below the overlay pane, where the heat layer draws, so the heat shows over them.
    this.map.createPane("grids").style.zIndex = 350;
    // Warnings lie above the heat layer and the case points.
    this.map.createPane("hotspots").style.zIndex = 450;
    this.hotspotToggle = document.querySelector("[data-map-hotspots]");
    this.legend = L.control({ position: "bottomright" });
    var self = this;
    this.legend.onAdd = function () {
      self.legendEl = L.DomUtil.create("div", "map-legend dash-legend");
      return self.legendEl;
    };
    this.legend.addTo(this.map);
    if (this.figureSelect) this.figureSelect.addEventListener("change", function () { self.colour(); });
    if (this.hotspotToggle) this.hotspotToggle.addEventListener("change", function () { self.drawHotspots(); });
    if (this.layerSelect) this.layerSelect.addEventListener("change", function () {
      self.layerKind = self.layerSelect.value;
      if (self.grids) self.grids.setStyle({ fillOpacity: self.fillOpacity() });
      self.drawPoints();
    });
    this.load(true);
  }

  DashboardMap.prototype.setStatus = function (text) {
    if (!this.status) return;
    this.status.textContent = text || "";
    this.status.hidden = !text;
  };

  DashboardMap.prototype.load = function (fit) {
    var self = this;
    fetch(this.el.dataset.mapUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (geojson) {
        self.geojson = geojson;
        if (self.grids) self.map.removeLayer(self.grids);
        self.grids = L.geoJSON(geojson, {
          pane: "grids",
          style: function () { return { weight: 1, color: wall ? "#0b1526" : "#ffffff", fillOpacity: self.fillOpacity() }; },
          onEachFeature: function (feature, layer) {
            layer.on("click", function () { if (!wall) window.location.href = feature.properties.url; });
          },
        }).addTo(self.map);
        self.colour();
        if (fit && geojson.features.length) self.map.fitBounds(self.grids.getBounds(), { padding: [12, 12] });
        self.setStatus(geojson.features.length ? "" : self.el.dataset.noValue);
      })
      .catch(function () { self.setStatus("…"); });
    fetch(this.el.dataset.pointsUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (data) { self.points = data.points; self.drawPoints(); });
    if (this.el.dataset.hotspotsUrl) {
      fetch(this.el.dataset.hotspotsUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) { self.hotspots = data.hotspots; self.drawHotspots(); })
        .catch(function () { /* the warnings layer stays empty */ });
    }
  };

  // The current warnings: a cluster as a circle of its radius, the others as a ringed marker at their
  // place; acknowledged ones dashed. A click opens the warning (not on the wall display).
  DashboardMap.prototype.drawHotspots = function () {
    if (this.hotspotLayer) { this.map.removeLayer(this.hotspotLayer); this.hotspotLayer = null; }
    if (!this.hotspots || (this.hotspotToggle && !this.hotspotToggle.checked)) return;
    var group = L.layerGroup();
    var openLabel = this.el.dataset.warningLabel;
    this.hotspots.forEach(function (h) {
      var colour = HOTSPOT_COLOURS[h.kind] || "#dc2626";
      var style = { pane: "hotspots", color: colour, weight: 2, fillColor: colour, fillOpacity: 0.2,
        dashArray: h.status === "acknowledged" ? "4 4" : null };
      var shape = h.radius_m ? L.circle([h.lat, h.lon], Object.assign({ radius: Math.max(h.radius_m, 40) }, style))
        : L.circleMarker([h.lat, h.lon], Object.assign({ radius: 11 }, style));
      var text = "<strong>" + escapeHtml(h.kind_label) + "</strong> " + escapeHtml(h.label) + "<br>" +
        escapeHtml(h.count) + (h.baseline != null ? " / " + escapeHtml(h.baseline) : "") + " · " +
        escapeHtml(h.status_label) + (h.street ? " · " + escapeHtml(h.street) : "");
      if (openLabel && !wall) text += '<br><span class="muted">' + escapeHtml(openLabel) + "</span>";
      shape.bindTooltip(text, { sticky: true, className: "map-tooltip" })
        .on("click", function () { if (!wall) window.location.href = h.url; })
        .addTo(group);
    });
    this.hotspotLayer = group.addTo(this.map);
  };

  DashboardMap.prototype.fillOpacity = function () {
    return this.layerKind === "none" ? 0.8 : 0.55;
  };

  DashboardMap.prototype.figure = function () {
    return this.figureSelect ? this.figureSelect.value : "reported";
  };

  DashboardMap.prototype.colour = function () {
    if (!this.grids || !this.geojson) return;
    var figure = this.figure();
    var rate = (this.geojson.rates || []).indexOf(figure) >= 0;
    var palette = rate ? BETTER : WORSE;
    var values = [];
    this.geojson.features.forEach(function (f) {
      var v = f.properties.values[figure];
      if (v != null) values.push(rate ? v * 100 : v);
    });
    var cuts = breaks(values);
    var lower = values.length ? Math.min.apply(null, values) : null;
    var noValue = this.el.dataset.noValue;
    var openLabel = this.el.dataset.openLabel;
    this.grids.eachLayer(function (layer) {
      var v = layer.feature.properties.values[figure];
      var shown = v == null ? null : (rate ? Math.round(v * 1000) / 10 : v);
      layer.setStyle({ fillColor: shown == null ? NO_VALUE : colourOf(classOf(shown, cuts), cuts, palette, lower) });
      var text = "<strong>" + escapeHtml(layer.feature.properties.name) + "</strong>" +
        escapeHtml(shown == null ? noValue : shown + (rate ? "%" : ""));
      if (openLabel && !wall) text += '<br><span class="muted">' + escapeHtml(openLabel) + "</span>";
      layer.bindTooltip(text, { sticky: true, className: "map-tooltip" });
    });
    if (this.legendEl) {
      var title = this.geojson.figures[figure];
      var rows = ['<strong>' + escapeHtml(title) + "</strong>"];
      var upper = values.length ? Math.max.apply(null, values) : null;
      var round = function (v) { return Math.round(v * 10) / 10; };
      for (var i = 0; lower != null && i <= cuts.length; i++) {
        var from = i === 0 ? lower : cuts[i - 1];
        var to = i < cuts.length ? cuts[i] : upper;
        var range = from === to ? round(from) : (i === 0 ? round(from) : "> " + round(from)) + " – " + round(to);
        rows.push('<div><span class="legend-swatch" style="background:' + colourOf(i, cuts, palette, lower) + '"></span>' +
          escapeHtml(range) + "</div>");
      }
      rows.push('<div><span class="legend-swatch" style="background:' + NO_VALUE + '"></span>' + escapeHtml(noValue) + "</div>");
      this.legendEl.innerHTML = rows.join("");
    }
  };

  DashboardMap.prototype.drawPoints = function () {
    if (this.pointLayer) { this.map.removeLayer(this.pointLayer); this.pointLayer = null; }
    if (!this.points || this.layerKind === "none") return;
    if (this.layerKind === "heat" && L.heatLayer) {
      this.pointLayer = L.heatLayer(this.points.map(function (p) { return [p[0], p[1], 0.6]; }),
        { radius: 16, blur: 14, minOpacity: 0.35 }).addTo(this.map);
      return;
    }
    var group = L.layerGroup();
    this.points.forEach(function (p) {
      L.circleMarker([p[0], p[1]], { radius: 4, weight: 1, color: "#7f1d1d", fillColor: "#dc2626", fillOpacity: 0.9 })
        .bindTooltip(escapeHtml(p[2]))
        .on("click", function () { if (!wall) window.location.href = p[3]; })
        .addTo(group);
    });
    this.pointLayer = group.addTo(this.map);
  };

  // --- Start -------------------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", function () {
    var data = readData();
    if (data) drawAll(data);
    var maps = [];
    if (window.L) document.querySelectorAll("[data-dashboard-map]").forEach(function (el) { maps.push(new DashboardMap(el)); });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });

    var clock = document.querySelector("[data-clock]");
    if (clock) {
      var zone = clock.dataset.timeZone;
      var tick = function () {
        clock.textContent = new Date().toLocaleString(document.documentElement.lang || undefined,
          zone ? { timeZone: zone } : undefined);
      };
      tick();
      setInterval(tick, 1000);
    }
    var refreshUrl = document.body.dataset.refreshUrl;
    var seconds = parseInt(document.body.dataset.refreshSeconds || "0", 10);
    if (refreshUrl && seconds > 0) {
      // One refresh at a time: the next is scheduled when this one has ended. The map (grid
      // outlines and case points, the heaviest answer) is refetched every fifth time.
      var round = 0;
      var refresh = function () {
        round += 1;
        fetch(refreshUrl, { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        }).then(function (fresh) {
          drawAll(fresh);
          if (round % 5 === 0) maps.forEach(function (m) { m.load(false); });
          document.body.dataset.refreshedAt = fresh.generated_at;
        }).catch(function () { /* the next refresh tries again */ })
          .then(function () { setTimeout(refresh, seconds * 1000); });
      };
      setTimeout(refresh, seconds * 1000);
    }
  });
})();
