// Case pages: the small location map of a case, and the dispatch console's bulk selection.
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // --- The case map: the grid's outline and the reported point. ------------------------------
  function caseMap(el) {
    if (el.dataset.ready || typeof L === "undefined") return;
    el.dataset.ready = "1";
    var data = readJson(el.dataset.data) || {};
    var tileUrl = el.dataset.tileUrl;
    L.Control.Zoom.mergeOptions({ zoomInTitle: document.body.dataset.zoomIn || "Zoom in",
      zoomOutTitle: document.body.dataset.zoomOut || "Zoom out" });  // translated in base.html
    var map = L.map(el, { attributionControl: Boolean(tileUrl), scrollWheelZoom: false, zoomSnap: 0.25, maxZoom: 19 });
    map.setView([35, 105], 4);  // a view must exist before layers are added
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    var bounds = null;
    if (data.grid) {
      var grid = L.geoJSON(data.grid, {
        style: function () { return { color: "#1a56b8", weight: 2, fillColor: "#1a56b8", fillOpacity: 0.12 }; },
        interactive: false,
      }).addTo(map);
      bounds = grid.getBounds();
    }
    if (data.point) {
      L.circleMarker(data.point, { radius: 9, color: "#fff", weight: 3, fillColor: "#c8372d", fillOpacity: 1 })
        .addTo(map);
      if (bounds) bounds.extend(data.point);
      else map.setView(data.point, 17);
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [18, 18] });
  }

  function initMaps(root) {
    (root || document).querySelectorAll("[data-case-map]").forEach(caseMap);
  }

  // --- Bulk selection on the console. ---------------------------------------------------------
  function refreshBulk(form) {
    if (!form) return;
    var boxes = form.querySelectorAll("input[name=cases]");
    var checked = form.querySelectorAll("input[name=cases]:checked").length;
    var counter = form.querySelector("[data-selected-count]");
    if (counter) counter.textContent = String(checked);
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
      all.disabled = boxes.length === 0;
    }
    var submit = form.querySelector(".bulk-bar button[type=submit]");
    if (submit) submit.disabled = checked === 0;
    var operation = form.querySelector("select[name=operation]");
    var department = form.querySelector("select[name=department]");
    if (operation && department) department.disabled = operation.value !== "dispatch";
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-bulk-form]");
    if (!form) return;
    if (event.target.matches("[data-select-all]")) {
      form.querySelectorAll("input[name=cases]").forEach(function (box) { box.checked = event.target.checked; });
    }
    refreshBulk(form);
  });

  // A "Cancel" button folds its form away again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-details]");
    if (!button) return;
    var details = button.closest("details");
    if (details) details.open = false;
  });

  function init(root) {
    initMaps(root);
    document.querySelectorAll("[data-bulk-form]").forEach(refreshBulk);
  }

  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
})();
