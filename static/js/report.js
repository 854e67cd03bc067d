// Jiceng reporting form: a map to set the place (tap, drag, or the phone's location), photo previews,
// a per-report client id that makes retries safe, and sending without losing anything on failure.
(function () {
  "use strict";

  var CLIENT_ID_KEY = "jiceng.report.clientId";
  var DRAFT_KEY = "jiceng.report.draft";
  var DRAFT_FIELDS = ["description", "title", "address"];

  function readJson(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  var t = readJson("report-labels");

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function format(template, value) {
    return String(template || "").replace("%s", value);
  }

  // --- The confirmation page: the report went in, so the next one gets a new id and no draft. ---
  function finishDone() {
    var store = storage();
    if (store) {
      store.removeItem(CLIENT_ID_KEY);
      store.removeItem(DRAFT_KEY);
    }
    var copy = document.querySelector("[data-copy]");
    var source = document.querySelector("[data-copy-source]");
    if (copy && source && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          copy.textContent = copy.dataset.copiedText || copy.textContent;
        });
      });
    }
  }

  // --- Point in polygon (ray casting), enough to tell the reporter which grid they tapped. --------
  function inRing(lng, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inPolygon(lng, lat, rings) {
    if (!rings.length || !inRing(lng, lat, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(lng, lat, rings[k])) return false;
    return true;
  }

  function featureAt(features, lng, lat) {
    for (var i = 0; i < features.length; i++) {
      var g = features[i].geometry;
      if (!g) continue;
      var polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      for (var p = 0; p < polygons.length; p++) if (inPolygon(lng, lat, polygons[p])) return features[i];
    }
    return null;
  }

  // --- The map ------------------------------------------------------------------------------------
  function setupMap(form) {
    var el = form.querySelector("[data-report-map]");
    var lonInput = form.querySelector("input[name=longitude]");
    var latInput = form.querySelector("input[name=latitude]");
    var readout = form.querySelector("[data-where]");
    var locate = form.querySelector("[data-locate]");
    if (!el || !lonInput || !latInput) return;

    function say(text, cls) {
      if (!readout) return;
      readout.textContent = text;
      readout.className = "where-readout" + (cls ? " " + cls : "");
    }

    if (typeof L === "undefined") {
      say(t.mapFailed, "warn");
    }

    var features = [];
    var map = null;
    var marker = null;

    function describe(lat, lng) {
      if (!features.length) { say(t.placeSet, "ok"); return; }
      var hit = featureAt(features, lng, lat);
      if (!hit) { say(el.dataset.gridsUrl ? t.outside : t.outsideArea, "warn"); return; }
      say(hit.properties && hit.properties.name ? format(t.inGrid, hit.properties.name) : t.placeSet, "ok");
    }

    function setPoint(lat, lng, zoom) {
      lonInput.value = lng.toFixed(6);
      latInput.value = lat.toFixed(6);
      clearErrors(form, "longitude");
      if (map) {
        if (marker) {
          marker.setLatLng([lat, lng]);
        } else {
          marker = L.marker([lat, lng], {
            draggable: true,
            keyboard: true,
            icon: L.divIcon({ className: "pin-icon", html: "<span></span>", iconSize: [26, 26], iconAnchor: [13, 30] }),
          }).addTo(map);
          marker.on("dragend", function () {
            var p = marker.getLatLng();
            setPoint(p.lat, p.lng);
          });
        }
        if (zoom) map.setView([lat, lng], Math.max(map.getZoom(), zoom));
      }
      describe(lat, lng);
      // The "similar open reports nearby" box (intake/duplicate_views.py) listens for this.
      form.dispatchEvent(new CustomEvent("report-point", { bubbles: true }));
    }

    if (typeof L !== "undefined") {
      L.Control.Zoom.mergeOptions({ zoomInTitle: document.body.dataset.zoomIn || "Zoom in",
        zoomOutTitle: document.body.dataset.zoomOut || "Zoom out" });  // translated in base.html
      map = L.map(el, { attributionControl: Boolean(el.dataset.tileUrl), zoomSnap: 0.25, minZoom: 3, maxZoom: 19 });
      if (el.dataset.tileUrl) {
        L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
      }
      map.setView([35, 105], 4);
      map.on("click", function (event) { setPoint(event.latlng.lat, event.latlng.lng); });

      var url = el.dataset.gridsUrl || el.dataset.areaUrl;
      if (url) {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (data) {
            features = data.features || [];
            var layer = L.geoJSON(data, {
              style: function () {
                return { color: "#1a56b8", weight: 1.2, opacity: 0.8, fillColor: "#1a56b8", fillOpacity: 0.08 };
              },
              onEachFeature: function (feature, layer) {
                if (feature.properties && feature.properties.name) {
                  layer.bindTooltip(String(feature.properties.name), { sticky: true, direction: "top" });
                }
                // A tap on a polygon must set the point like a tap elsewhere.
                layer.on("click", function (event) { setPoint(event.latlng.lat, event.latlng.lng); });
              },
            }).addTo(map);
            var bounds = layer.getBounds();
            if (marker) {
              map.setView(marker.getLatLng(), 16);
              var p = marker.getLatLng();
              describe(p.lat, p.lng);
            } else if (bounds.isValid()) {
              map.fitBounds(bounds, { padding: [10, 10] });
            }
          })
          .catch(function () { say(t.mapFailed, "warn"); });
      }
      // A map laid out while hidden or before the fonts settle needs to measure itself again.
      setTimeout(function () { map.invalidateSize(); }, 200);
    }

    // A form sent back with errors keeps its point.
    var lon0 = parseFloat(lonInput.value), lat0 = parseFloat(latInput.value);
    if (!isNaN(lon0) && !isNaN(lat0)) {
      setPoint(lat0, lon0);
      if (map) map.setView([lat0, lon0], 16);
    }

    if (locate) {
      locate.addEventListener("click", function () {
        if (!navigator.geolocation) { say(t.geoUnsupported, "warn"); return; }
        say(t.locating);
        locate.disabled = true;
        navigator.geolocation.getCurrentPosition(function (position) {
          locate.disabled = false;
          setPoint(position.coords.latitude, position.coords.longitude, 17);
          if (readout && readout.className.indexOf("warn") < 0 && !features.length) say(t.located, "ok");
        }, function (error) {
          locate.disabled = false;
          say(error && error.code === 1 ? t.geoDenied : t.geoFailed, "warn");
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  // --- Photos ---------------------------------------------------------------------------------------
  function setupPhotos(form) {
    var input = form.querySelector("input[type=file][name=photos]");
    var previews = form.querySelector("[data-photo-previews]");
    if (!input || !previews) return;
    input.addEventListener("change", function () {
      previews.innerHTML = "";
      var lost = form.querySelector("[data-photos-lost]");
      if (lost && input.files.length) lost.remove();
      clearErrors(form, "photos");
      var problem = photoProblem(input);
      if (problem) { showErrors(form, "photos", [problem]); }
      Array.prototype.slice.call(input.files, 0, 12).forEach(function (file) {
        if (!/^image\//.test(file.type) || !window.URL || !URL.createObjectURL) return;
        var img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(img.src); };
        previews.appendChild(img);
      });
    });
  }

  function photoProblem(input) {
    var max = parseInt(input.dataset.max || "9", 10);
    if (input.files.length > max) return t.tooManyPhotos;
    for (var i = 0; i < input.files.length; i++) {
      var file = input.files[i];
      if (file.type && !/^image\//.test(file.type)) return format(t.notImage, file.name);
    }
    return "";
  }

  // --- Errors next to their fields ------------------------------------------------------------------
  function errorBox(form, name) {
    return form.querySelector('[data-errors-for="' + name + '"]');
  }

  function clearErrors(form, name) {
    var box = errorBox(form, name);
    if (!box) return;
    box.innerHTML = "";
    var field = box.closest(".field");
    if (field) field.classList.remove("field-error");
  }

  function showErrors(form, name, messages) {
    var box = errorBox(form, name);
    if (!box) return;
    var list = document.createElement("ul");
    list.className = "errorlist";
    messages.forEach(function (message) {
      var li = document.createElement("li");
      li.textContent = message;
      list.appendChild(li);
    });
    box.innerHTML = "";
    if (name === "__all__") {
      var wrap = document.createElement("div");
      wrap.className = "form-errors";
      wrap.setAttribute("role", "alert");
      wrap.appendChild(list);
      box.appendChild(wrap);
    } else {
      box.appendChild(list);
      var field = box.closest(".field");
      if (field) field.classList.add("field-error");
    }
  }

  // Checks the browser can make before sending (the server checks everything again).
  function precheck(form) {
    var problems = [];
    function need(name, ok, message) {
      clearErrors(form, name);
      if (!ok) { showErrors(form, name, [message]); problems.push(name); }
    }
    var category = form.querySelector("[name=category]");
    var description = form.querySelector("[name=description]");
    var phone = form.querySelector("[name=phone]");
    var lon = form.querySelector("[name=longitude]");
    var photos = form.querySelector("input[type=file][name=photos]");
    if (category) need("category", category.value !== "", t.chooseCategory);
    if (description) need("description", description.value.trim() !== "", t.describe);
    if (lon) need("longitude", lon.value !== "", t.pickPoint);
    if (phone) need("phone", phone.value.trim() !== "", t.phone);
    if (photos) {
      var problem = photoProblem(photos);
      need("photos", !problem, problem);
    }
    return problems;
  }

  function focusFirstError(form) {
    var box = form.querySelector(".field-error");
    if (!box) return;
    box.scrollIntoView({ behavior: "smooth", block: "center" });
    var control = box.querySelector("select, textarea, input:not([type=hidden]), button");
    if (control) control.focus({ preventScroll: true });
  }

  // --- Client id and draft --------------------------------------------------------------------------
  function setupClientId(form) {
    var input = form.querySelector("input[name=client_id]");
    if (!input) return;
    var store = storage();
    var stored = store && store.getItem(CLIENT_ID_KEY);
    if (form.hasAttribute("data-new-client-id")) stored = null;
    if (input.value && !form.hasAttribute("data-new-client-id")) {
      stored = input.value;
    }
    var id = stored || newClientId();
    input.value = id;
    if (store) store.setItem(CLIENT_ID_KEY, id);
  }

  function setupDraft(form) {
    var store = storage();
    if (!store) return;
    var draft = {};
    try { draft = JSON.parse(store.getItem(DRAFT_KEY) || "{}") || {}; } catch (e) { draft = {}; }
    DRAFT_FIELDS.forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (!field) return;
      if (!field.value && draft[name]) field.value = draft[name];
      field.addEventListener("input", function () {
        draft[name] = field.value;
        try { store.setItem(DRAFT_KEY, JSON.stringify(draft)); } catch (e) { /* storage full: keep going */ }
      });
    });
  }

  // --- Sending ----------------------------------------------------------------------------------------
  function setupSubmit(form) {
    var button = form.querySelector("[data-submit]");
    var status = form.querySelector("[data-submit-status]");
    var label = button ? button.textContent : "";
    var sending = false;

    function say(text, isError) {
      if (!status) return;
      status.textContent = text || "";
      status.className = "submit-status" + (isError ? " error" : "");
    }

    function done() {
      sending = false;
      if (button) { button.disabled = false; button.textContent = label; }
    }

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData || !window.DOMParser) return; // the plain form post still works
      event.preventDefault();
      if (sending) return;
      clearErrors(form, "__all__");
      if (precheck(form).length) {
        say(t.fixErrors, true);
        focusFirstError(form);
        return;
      }
      sending = true;
      if (button) { button.disabled = true; button.textContent = t.sending || label; }
      say("");
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      }).then(function (response) {
        if (response.redirected) {
          window.location.assign(response.url);
          return null;
        }
        return response.text().then(function (html) { takeErrors(form, html); });
      }).catch(function () {
        say(t.networkError, true);
      }).then(done);
    });

    // Put a sent-back form's errors into this page, which keeps the chosen photos.
    function takeErrors(form, html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var returned = doc.querySelector("[data-report-form]");
      if (!returned) {
        say(t.serverError, true);
        return;
      }
      var token = returned.querySelector("input[name=csrfmiddlewaretoken]");
      var mine = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (token && mine) mine.value = token.value;
      form.querySelectorAll("[data-errors-for]").forEach(function (box) {
        var name = box.getAttribute("data-errors-for");
        var other = returned.querySelector('[data-errors-for="' + name + '"]');
        box.innerHTML = other ? other.innerHTML : "";
        var field = box.closest(".field");
        if (field) field.classList.toggle("field-error", Boolean(box.textContent.trim()));
      });
      if (returned.hasAttribute("data-new-client-id")) {
        var input = form.querySelector("input[name=client_id]");
        var store = storage();
        if (input) {
          input.value = newClientId();
          if (store) store.setItem(CLIENT_ID_KEY, input.value);
        }
      }
      say(t.fixErrors, true);
      var summary = form.querySelector('[data-errors-for="__all__"] .form-errors');
      if (summary && !form.querySelector(".field-error")) {
        summary.scrollIntoView({ behavior: "smooth", block: "center" });
      } else {
        focusFirstError(form);
      }
    }
  }

  function init() {
    if (document.querySelector("[data-report-done]")) finishDone();
    var form = document.querySelector("[data-report-form]");
    if (!form) return;
    setupClientId(form);
    setupDraft(form);
    setupMap(form);
    setupPhotos(form);
    setupSubmit(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
