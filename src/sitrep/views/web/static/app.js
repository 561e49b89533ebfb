/* Sitrep map: events on Natural Earth borders, a time slider, a control layer, filters and an evidence panel.
 *
 * Everything is fetched from the server that serves this page (relative URLs). Article text is untrusted: it is
 * only ever put into the page with textContent or as a text node, and only http(s) URLs become links.
 */
(function () {
  "use strict";

  const TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
    "Strategic developments": "#1f77b4",
  };
  const OTHER_TYPE = "Other";
  const OTHER_COLOUR = "#7f7f7f";
  // Colours for controlling sides: distinct from one another on a pale map.
  const ACTOR_PALETTE = [
    "#c0392b", "#27ae60", "#2c3e50", "#8e44ad", "#d4a017", "#16a085",
    "#e67e22", "#2980b9", "#7f8c8d", "#6d4c41", "#e84393", "#00838f",
  ];
  const STATUSES = ["assessed", "claimed", "contested"];
  const DAY_MS = 86400000;
  const CLUSTER_PX = 34; // grid cell of the clustering, in screen pixels
  const PLAY_MS = 900;
  const PAGE_SIZE = 1000; // the API's largest page
  const MAX_PAGES = 200; // a browser map of more than 200,000 events needs server-side tiles instead

  const state = {
    events: [],
    firstDay: 0,
    lastDay: 0,
    day: 0,
    window: 0,
    types: new Set(),
    actor: "",
    place: "",
    selected: null,
    actorColours: new Map(),
    control: new Map(), // date -> list of periods (or an Error)
    controlToken: 0,
    playing: null,
  };

  // ---- small DOM helpers: text only, never HTML ----------------------------------------------------------------

  function el(tag, options, children) {
    const node = document.createElement(tag);
    const opts = options || {};
    if (opts.className) node.className = opts.className;
    if (opts.text !== undefined && opts.text !== null) node.textContent = String(opts.text);
    if (opts.title) node.title = String(opts.title);
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function svgEl(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  }

  /** A URL safe to link to: absolute http(s) only, so `javascript:` and `data:` stay text. */
  function httpUrl(value) {
    if (typeof value !== "string" || value === "") return null;
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, text, external) {
    const a = el("a", { text: text });
    a.href = href;
    if (external) {
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
    }
    return a;
  }

  // ---- dates ------------------------------------------------------------------------------------------------------

  function parseDay(value) {
    const m = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
    return m ? Math.round(Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY_MS) : null;
  }

  function formatDay(day) {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }

  // ---- colours ----------------------------------------------------------------------------------------------------

  function typeKey(props) {
    return Object.prototype.hasOwnProperty.call(TYPE_COLOURS, props.event_type) ? props.event_type : OTHER_TYPE;
  }

  function typeColour(key) {
    return TYPE_COLOURS[key] || OTHER_COLOUR;
  }

  function actorColour(actor) {
    const name = actor || "unknown";
    if (!state.actorColours.has(name)) {
      // Sides seen in the events got stable colours at load; others are hashed into the palette.
      let h = 0;
      for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
      state.actorColours.set(name, h % ACTOR_PALETTE.length);
    }
    return state.actorColours.get(name);
  }

  function makePatterns() {
    const defs = document.getElementById("patterns");
    ACTOR_PALETTE.forEach(function (colour, i) {
      const pattern = svgEl("pattern", {
        id: "hatch-" + i, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)",
      });
      pattern.append(svgEl("rect", { width: 6, height: 6, fill: colour, "fill-opacity": 0.12 }));
      pattern.append(svgEl("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: colour, "stroke-width": 3 }));
      defs.append(pattern);
    });
  }

  // ---- map --------------------------------------------------------------------------------------------------------

  const map = L.map("map", { minZoom: 2, maxZoom: 12, zoomSnap: 0.5, worldCopyJump: false });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Borders: Natural Earth (public domain)");
  map.setView([34.8, 38.5], 6);
  const panes = [["countries", 200], ["control", 240], ["admin1", 250], ["front", 260], ["labels", 300], ["events", 420]];
  for (const [name, z] of panes) {
    map.createPane(name).style.zIndex = String(z);
  }
  const labelLayer = L.layerGroup().addTo(map);
  const labels = { countries: [], admin1: [], places: [] };
  const controlLayer = L.layerGroup().addTo(map);
  const frontLayer = L.layerGroup().addTo(map);
  const admin1Layer = L.layerGroup().addTo(map);
  const eventLayer = L.layerGroup().addTo(map);
  // Every layer can be switched off; the names are what the tests and readers click.
  const layersControl = L.control
    .layers(null, {
      "Events": eventLayer,
      "Control areas": controlLayer,
      "Front line": frontLayer,
      "Admin-1 borders": admin1Layer,
      "Labels": labelLayer,
    }, { collapsed: false, position: "topright" })
    .addTo(map);
  layersControl.getContainer().classList.add("sitrep-layers");

  function loadBorders() {
    const countries = getJSON("static/data/countries.geojson").then(function (data) {
      L.geoJSON(data, {
        pane: "countries",
        interactive: false,
        style: { color: "#9aa3ad", weight: 1, fillColor: "#f6f3ec", fillOpacity: 1 },
      }).addTo(map);
      labels.countries = labelsOf(data);
      renderLabels();
    });
    const admin1 = getJSON("static/data/admin1.geojson").then(function (data) {
      admin1Layer.addLayer(L.geoJSON(data, {
        pane: "admin1",
        style: { color: "#b3aa98", weight: 0.7, dashArray: "3 3", fill: true, fillOpacity: 0 },
        onEachFeature: function (feature, layer) {
          const p = feature.properties || {};
          layer.bindTooltip(el("span", { text: [p.name, p.country].filter(Boolean).join(", ") }), { sticky: true });
        },
      }));
      labels.admin1 = labelsOf(data);
      renderLabels();
    });
    return Promise.all([countries, admin1]);
  }

  function labelsOf(collection) {
    return (collection.features || [])
      .map((f) => f.properties || {})
      .filter((p) => Array.isArray(p.label) && p.name)
      .map((p) => ({ latlng: L.latLng(p.label[1], p.label[0]), text: String(p.name) }));
  }

  // Names drawn as text on the map, placed greedily so that none overlaps another: held settlements and event
  // places first, then admin-1 units (from zoom 6), then countries. A name that would collide is left out at this
  // zoom and comes back when there is room. Widths are measured with the labels' own fonts on a canvas.
  const LABEL_FONTS = {
    "label-place": "600 12.5px system-ui, sans-serif",
    "label-admin1": "italic 11.5px system-ui, sans-serif",
    "label-country": "12.8px system-ui, sans-serif",
  };
  const measure = document.createElement("canvas").getContext("2d");

  // Where a place's name may go around its point: right, left, above, below, then the same farther out.
  const PLACE_SPOTS = [];
  for (const d of [14, 28]) {
    PLACE_SPOTS.push({ dx: d, dy: 0, ax: 0, ay: 0.5 }, { dx: -d, dy: 0, ax: 1, ay: 0.5 });
    PLACE_SPOTS.push({ dx: 0, dy: -d - 4, ax: 0.5, ay: 1 }, { dx: 0, dy: d + 4, ax: 0.5, ay: 0 });
  }
  const CENTRED = [{ dx: 0, dy: 0, ax: 0.5, ay: 0.5 }];

  /** The screen box of a label at a spot: offset (dx, dy) from its point, anchored at (ax, ay) of its own box. */
  function labelBox(point, text, className, spot) {
    measure.font = LABEL_FONTS[className];
    const shown = className === "label-country" ? text.toUpperCase() : text;
    // + padding, and the country names' letter-spacing (0.12em of 12.8 px), which the canvas does not apply.
    const width = measure.measureText(shown).width + 4 + (className === "label-country" ? shown.length * 1.54 : 0);
    const height = className === "label-place" ? 16 : 14;
    const x0 = point.x + spot.dx - spot.ax * width;
    const y0 = point.y + spot.dy - spot.ay * height;
    return { x0: x0, y0: y0, x1: x0 + width, y1: y0 + height };
  }

  /** Screen boxes of the drawn event markers and clusters: a name is never written under one. */
  function markerBoxes() {
    const boxes = [];
    if (!map.hasLayer(eventLayer)) return boxes;
    eventLayer.eachLayer(function (layer) {
      const point = map.latLngToContainerPoint(layer.getLatLng());
      const icon = layer.options.icon;
      const half = icon && icon.options.iconSize ? icon.options.iconSize[0] / 2 : (layer.options.radius || 6) + 1;
      boxes.push({ x0: point.x - half, y0: point.y - half, x1: point.x + half, y1: point.y + half });
    });
    return boxes;
  }

  function overlaps(a, b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  }

  function renderLabels() {
    labelLayer.clearLayers();
    if (!map.hasLayer(labelLayer)) return;
    const zoom = map.getZoom();
    const size = map.getSize();
    const sets = [[labels.places, "label-place"]];
    if (zoom >= 6) sets.push([labels.admin1, "label-admin1"]);
    if (zoom >= 4) sets.push([labels.countries, "label-country"]);
    const markers = markerBoxes();
    const taken = [];
    const seen = new Set();
    for (const [list, className] of sets) {
      for (const label of list) {
        const key = className + label.text;
        if (seen.has(key)) continue;
        const point = map.latLngToContainerPoint(label.latlng);
        let box = null;
        for (const spot of className === "label-place" ? PLACE_SPOTS : CENTRED) {
          const b = labelBox(point, label.text, className, spot);
          if (b.x0 < 0 || b.y0 < 0 || b.x1 > size.x || b.y1 > size.y) continue;
          if (taken.some((other) => overlaps(b, other)) || markers.some((other) => overlaps(b, other))) continue;
          box = b;
          break;
        }
        if (box === null) continue;
        taken.push(box);
        seen.add(key);
        const span = el("span", { text: label.text });
        // Drawn exactly where it was measured: the icon's corner is at the point, the text moved to its box.
        span.style.transform = "translate(" + (box.x0 - point.x).toFixed(1) + "px, " + (box.y0 - point.y).toFixed(1) + "px)";
        const marker = L.marker(label.latlng, {
          pane: "labels",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "map-label " + className, html: span, iconSize: null }),
        }).addTo(labelLayer);
        const node = marker.getElement();
        if (node) {
          node.dataset.box = [box.x0, box.y0, box.x1, box.y1].map((v) => v.toFixed(1)).join(",");
          node.dataset.text = label.text;
        }
      }
    }
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json, application/geo+json" } }).then(function (response) {
      if (!response.ok) throw new Error(url.split("?")[0] + ": HTTP " + response.status);
      return response.json();
    });
  }

  // ---- events -----------------------------------------------------------------------------------------------------

  /** Every page of `api/events?format=geojson`: the API pages with `limit`/`offset` and says `next_offset`. */
  function fetchAllEvents() {
    const features = [];
    function page(offset, left) {
      return getJSON("api/events?format=geojson&limit=" + PAGE_SIZE + "&offset=" + offset).then(function (data) {
        if (data && Array.isArray(data.features)) features.push.apply(features, data.features);
        const next = data ? data.next_offset : null;
        return typeof next === "number" && next > offset && left > 1 ? page(next, left - 1) : features;
      });
    }
    return page(0, MAX_PAGES);
  }

  function loadEvents() {
    return fetchAllEvents().then(function (features) {
      state.events = features
        .filter(function (f) {
          return f && f.geometry && f.geometry.type === "Point" && Array.isArray(f.geometry.coordinates);
        })
        .map(function (f, i) {
          const props = f.properties || {};
          const actors = [props.actor1, props.assoc_actor_1, props.actor2, props.assoc_actor_2].filter(Boolean);
          const places = [props.location, props.admin1, props.admin2, props.admin3, props.country].filter(Boolean);
          return {
            index: i,
            id: String(props.event_id || f.id || i),
            props: props,
            lat: +f.geometry.coordinates[1],
            lon: +f.geometry.coordinates[0],
            day: parseDay(props.event_date),
            type: typeKey(props),
            actorText: actors.join(" | ").toLowerCase(),
            placeText: places.join(" | ").toLowerCase(),
          };
        })
        .filter(function (e) {
          return isFinite(e.lat) && isFinite(e.lon);
        });
      const places = new Map();
      for (const e of state.events) {
        if (!e.props.location) continue;
        const key = e.props.location + "@" + e.lat + "," + e.lon;
        const seen = places.get(key) || { e: e, n: 0 };
        seen.n += 1;
        places.set(key, seen);
      }
      // The places with the most events are named first, so when two names collide the busier place keeps its own.
      labels.places = Array.from(places.values())
        .sort((a, b) => b.n - a.n || String(a.e.props.location).localeCompare(String(b.e.props.location)))
        .map(({ e }) => ({ latlng: L.latLng(e.lat, e.lon), text: e.props.location }));
      const sides = new Set();
      for (const e of state.events) {
        for (const a of [e.props.actor1, e.props.actor2]) if (a) sides.add(a);
      }
      Array.from(sides).sort().forEach(function (a, i) {
        state.actorColours.set(a, i % ACTOR_PALETTE.length);
      });
    });
  }

  function inTime(e) {
    if (e.day === null) return true; // undated events are not placed in time; keep them visible
    if (e.day > state.day) return false;
    return state.window <= 0 || e.day > state.day - state.window;
  }

  function matches(e) {
    return (
      state.types.has(e.type) &&
      (!state.actor || e.actorText.indexOf(state.actor) >= 0) &&
      (!state.place || e.placeText.indexOf(state.place) >= 0)
    );
  }

  function radius(props) {
    const f = Math.max(0, Number(props.fatalities) || 0);
    return Math.min(20, 5 + 2.2 * Math.sqrt(f));
  }

  function eventLabel(e) {
    const p = e.props;
    return [p.event_date || "undated", p.sub_event_type || p.event_type, p.location].filter(Boolean).join(" · ");
  }

  function renderEvents() {
    eventLayer.clearLayers();
    const shown = state.events.filter(function (e) {
      return inTime(e) && matches(e);
    });
    const zoom = map.getZoom();
    const cells = new Map();
    for (const e of shown) {
      const p = map.project([e.lat, e.lon], zoom);
      const key = Math.floor(p.x / CLUSTER_PX) + ":" + Math.floor(p.y / CLUSTER_PX);
      if (!cells.has(key)) cells.set(key, []);
      cells.get(key).push(e);
    }
    let markers = 0;
    for (const group of cells.values()) {
      if (group.length === 1) addEventMarker(group[0]);
      else addCluster(group);
      markers++;
    }
    const status = document.getElementById("status");
    status.classList.remove("error");
    status.dataset.shown = String(shown.length);
    status.dataset.markers = String(markers);
    status.textContent = shown.length + " of " + state.events.length + " events shown";
    updateTypeCounts(shown);
    renderLabels(); // names make way for the markers just drawn
  }

  function addEventMarker(e) {
    const selected = state.selected === e.id;
    const marker = L.circleMarker([e.lat, e.lon], {
      pane: "events",
      radius: radius(e.props),
      color: selected ? "#111" : "#ffffff",
      weight: selected ? 3 : 1.2,
      fillColor: typeColour(e.type),
      fillOpacity: 0.88,
      className: "sitrep-event",
    });
    marker.bindTooltip(el("span", { text: eventLabel(e) }), { direction: "top" });
    marker.on("click", function () {
      selectEvent(e);
    });
    marker.addTo(eventLayer);
    const path = marker.getElement();
    if (path) path.setAttribute("data-event-id", e.id);
  }

  function addCluster(group) {
    const size = Math.round(22 + 5 * Math.log2(group.length));
    const counts = new Map();
    for (const e of group) counts.set(e.type, (counts.get(e.type) || 0) + 1);
    let at = 0;
    const stops = [];
    for (const [type, n] of counts) {
      const from = (at / group.length) * 360;
      at += n;
      const to = (at / group.length) * 360;
      stops.push(typeColour(type) + " " + from.toFixed(1) + "deg " + to.toFixed(1) + "deg");
    }
    const ring = el("div", { className: "ring" }, [el("span", { text: group.length })]);
    ring.style.background = "conic-gradient(" + stops.join(", ") + ")";
    const lat = group.reduce((s, e) => s + e.lat, 0) / group.length;
    const lon = group.reduce((s, e) => s + e.lon, 0) / group.length;
    const marker = L.marker([lat, lon], {
      pane: "events",
      icon: L.divIcon({ html: ring, className: "cluster sitrep-cluster", iconSize: [size, size] }),
      keyboard: true,
      title: group.length + " events",
    });
    marker.on("click", function () {
      const bounds = L.latLngBounds(group.map((e) => [e.lat, e.lon]));
      const samePlace = bounds.getNorthEast().equals(bounds.getSouthWest(), 1e-4);
      if (samePlace || map.getZoom() >= map.getMaxZoom()) showList(group);
      else map.fitBounds(bounds.pad(0.3), { maxZoom: map.getMaxZoom() });
    });
    marker.addTo(eventLayer);
  }

  function updateTypeCounts(shown) {
    const counts = new Map();
    for (const e of shown) counts.set(e.type, (counts.get(e.type) || 0) + 1);
    for (const node of document.querySelectorAll("#types .count")) {
      node.textContent = String(counts.get(node.dataset.type) || 0);
    }
  }

  // ---- the panel --------------------------------------------------------------------------------------------------

  function detailBox() {
    const box = document.getElementById("detail");
    box.replaceChildren();
    return box;
  }

  function showList(group) {
    const box = detailBox();
    box.append(el("h3", { text: group.length + " events at " + (group[0].props.location || "this place") }));
    const list = el("ul", { className: "event-list" });
    const sorted = group.slice().sort((a, b) => (a.day || 0) - (b.day || 0));
    for (const e of sorted) {
      const button = el("button", {}, [
        el("span", { className: "swatch" }),
        el("span", { text: eventLabel(e) }),
      ]);
      button.type = "button";
      button.firstChild.style.background = typeColour(e.type);
      button.addEventListener("click", function () {
        selectEvent(e);
      });
      list.append(el("li", {}, [button]));
    }
    box.append(list);
  }

  function selectEvent(e) {
    state.selected = e.id;
    renderEvents();
    showEvent(e);
  }

  function row(dl, label, value) {
    if (value === null || value === undefined || value === "") return;
    dl.append(el("dt", { text: label }), el("dd", { text: value }));
  }

  function actorsText(main, assoc) {
    if (!main) return null;
    return assoc ? main + " (with " + assoc + ")" : main;
  }

  const PRECISION = { 1: "the day", 2: "the week", 3: "the month" };
  const GEO_PRECISION = { 1: "the town", 2: "near the town", 3: "the region" };

  /** Evidence spans that are not inside another shown span (a date span inside its sentence adds nothing). */
  function evidenceToShow(evidence) {
    const items = (Array.isArray(evidence) ? evidence : []).filter((ev) => ev && typeof ev.text === "string");
    return items.filter(function (ev, i) {
      return !items.some(function (other, j) {
        if (i === j || typeof other.start !== "number" || typeof ev.start !== "number") return false;
        const inside = other.start <= ev.start && ev.end <= other.end;
        const same = other.start === ev.start && other.end === ev.end;
        return inside && (!same || j < i);
      });
    });
  }

  /** Evidence by outlet from the event alone: its sentences under its first outlet, its sources' outlets. */
  function fallbackGroups(p) {
    const sources = Array.isArray(p.sources) ? p.sources : [];
    const groups = sources.map(function (source) {
      return { source: source, sentences: [], figures: [] };
    });
    if (!groups.length) groups.push({ source: {}, sentences: [], figures: [] });
    for (const ev of evidenceToShow(p.evidence)) groups[0].sentences.push({ text: ev.text, quoted: [] });
    for (const f of Array.isArray(p.figures) ? p.figures : []) groups[0].figures.push(f);
    return groups;
  }

  /** Evidence by outlet from `api/events/{id}`: each report's sentence and figures under its document's outlet. */
  function groupsFromDetail(detail) {
    const documents = new Map((detail.documents || []).map((d) => [d.id, d]));
    const sources = new Map(((detail.event || {}).sources || []).map((s) => [s.document_id, s]));
    const groups = new Map();
    for (const report of detail.reports || []) {
      const doc = documents.get(report.document_id) || {};
      const source = sources.get(report.document_id) || { document_id: report.document_id, outlet: doc.outlet, url: doc.url };
      const key = (source.outlet || doc.outlet || "Unknown outlet") + "\u0000" + report.document_id;
      if (!groups.has(key)) groups.set(key, { source: source, sentences: [], figures: [] });
      const group = groups.get(key);
      group.sentences.push({ text: report.sentence || "", quoted: report.attributed_to || [] });
      for (const f of report.figures || []) group.figures.push(f);
    }
    return Array.from(groups.values());
  }

  function figureText(f) {
    const value = f.value !== null && f.value !== undefined ? f.value : [f.low, f.high].filter((v) => v !== null).join("–");
    return String(f.kind || "figure") + ": " + Number(value).toLocaleString("en") + (f.unit && f.unit !== "places" ? " " + f.unit : "");
  }

  /** One section per outlet; a sentence or a claim (kind, value, claimant) appears once in its outlet. */
  function showEvidence(holder, groups) {
    holder.replaceChildren(el("h4", { text: "Evidence by outlet (" + groups.length + ")" }));
    for (const group of groups) {
      const s = group.source || {};
      const section = el("section", { className: "outlet" });
      section.dataset.outlet = s.outlet || "";
      const head = el("p", { className: "outlet-name" }, [el("strong", { text: s.outlet || "Unknown outlet" }), " "]);
      if (s.document_id) head.append(link("api/documents/" + encodeURIComponent(s.document_id), "document", false));
      const url = httpUrl(s.url);
      if (url) head.append(" · ", link(url, new URL(url).hostname, true));
      else if (s.url) head.append(el("span", { className: "quoted", text: " · not linked: " + s.url }));
      section.append(head);
      const sentences = new Map();
      for (const item of group.sentences) {
        const text = String(item.text || "").trim();
        if (!text) continue;
        const quoted = sentences.get(text) || new Set();
        for (const who of item.quoted || []) if (who) quoted.add(who);
        sentences.set(text, quoted);
      }
      const list = el("ul", { className: "evidence" });
      for (const [text, quoted] of sentences) {
        list.append(el("li", {}, [text, quoted.size ? el("span", { className: "quoted", text: " — per " + Array.from(quoted).join("; ") }) : null]));
      }
      if (sentences.size) section.append(list);
      const claims = new Map();
      for (const f of group.figures) {
        const key = [f.kind, f.value, f.low, f.high, f.claimant || ""].join("|");
        if (!claims.has(key)) claims.set(key, f);
      }
      if (claims.size) {
        const figures = el("ul", { className: "figures" });
        for (const f of claims.values()) {
          figures.append(el("li", {}, [figureText(f), el("span", { className: "claimant", text: " — " + (f.claimant || "unattributed") })]));
        }
        section.append(figures);
      }
      holder.append(section);
    }
  }

  function showEvent(e) {
    const p = e.props;
    const box = detailBox();
    const swatch = el("span", { className: "swatch" });
    swatch.style.background = typeColour(e.type);
    box.append(el("p", { className: "kind" }, [swatch, String(p.event_type || "Unknown type")]));
    box.append(el("h3", { text: p.sub_event_type || p.event_type || "Event" }));

    const dl = el("dl");
    const precision = PRECISION[p.time_precision];
    row(dl, "Date", p.event_date ? p.event_date + (precision && p.time_precision > 1 ? " (" + precision + ")" : "") : "undated");
    row(dl, "Actor 1", actorsText(p.actor1, p.assoc_actor_1));
    row(dl, "Actor 2", actorsText(p.actor2, p.assoc_actor_2));
    const place = [p.location, p.admin2, p.admin1, p.country].filter(Boolean).filter((v, i, a) => a.indexOf(v) === i);
    const geo = GEO_PRECISION[p.geo_precision];
    row(dl, "Place", place.join(", ") + (geo ? " (" + geo + ")" : ""));
    let deaths = String(Number(p.fatalities) || 0);
    if (p.fatalities_high && p.fatalities_high !== p.fatalities) {
      deaths += " (claims " + (p.fatalities_low || 0) + "–" + p.fatalities_high + ")";
    }
    row(dl, "Fatalities", deaths);
    row(dl, "Reported as", p.modality);
    if (typeof p.confidence === "number") row(dl, "Confidence", p.confidence.toFixed(2));
    const quoted = Array.isArray(p.attributed_to) ? p.attributed_to.filter(Boolean) : [];
    row(dl, "Who says so", quoted.join("; "));
    box.append(dl);

    // The evidence, grouped by the outlet that published it, each figure with its claimant beside it. Read from
    // the event's reports (api/events/{id}); until they arrive, or if they cannot be had, the event's own spans.
    const holder = el("div", { className: "by-outlet" });
    box.append(holder);
    showEvidence(holder, fallbackGroups(p));
    getJSON("api/events/" + encodeURIComponent(e.id))
      .then(function (detail) {
        if (state.selected === e.id) showEvidence(holder, groupsFromDetail(detail));
      })
      .catch(function () {
        /* the fallback stays */
      });

    if (p.notes) {
      box.append(el("details", { className: "notes" }, [el("summary", { text: "Notes" }), el("p", { text: p.notes })]));
    }
    const record = el("p", { className: "id", text: "event " + e.id + " · " });
    record.append(link("api/events/" + encodeURIComponent(e.id) + ".html", "full record", false));
    box.append(record);
  }

  // ---- control layer ----------------------------------------------------------------------------------------------

  function controlStyle(status, colourIndex) {
    const colour = ACTOR_PALETTE[colourIndex];
    if (status === "claimed") {
      return { color: colour, weight: 2.5, dashArray: "5 4", fillColor: colour, fillOpacity: 0.08 };
    }
    if (status === "contested") {
      return { color: colour, weight: 2, dashArray: "2 3", fillColor: "url(#hatch-" + colourIndex + ")", fillOpacity: 1 };
    }
    return { color: colour, weight: 3, fillColor: colour, fillOpacity: 0.3 };
  }

  function legendMark(status, colourIndex) {
    const svg = svgEl("svg", { width: 18, height: 18, viewBox: "0 0 18 18" });
    const style = controlStyle(status, colourIndex);
    const circle = svgEl("circle", {
      cx: 9, cy: 9, r: 7, stroke: style.color, "stroke-width": style.weight, fill: style.fillColor,
      "fill-opacity": style.fillOpacity,
    });
    if (style.dashArray) circle.setAttribute("stroke-dasharray", style.dashArray);
    svg.append(circle);
    return svg;
  }

  function scheduleControl() {
    const date = formatDay(state.day);
    document.getElementById("control-date").textContent = date;
    const token = ++state.controlToken;
    const cached = state.control.get(date);
    if (cached) {
      renderControl(cached);
      return;
    }
    getJSON("api/control/areas?date=" + encodeURIComponent(date))
      .then((data) => (data && Array.isArray(data.features) ? data.features : []))
      .catch((err) => err)
      .then(function (result) {
        state.control.set(date, result);
        if (token === state.controlToken) renderControl(result);
      });
  }

  /** The day's control: areas by holder (contested hatched, inferred paler), the front line, the settlements. */
  function renderControl(features) {
    controlLayer.clearLayers();
    frontLayer.clearLayers();
    const note = document.getElementById("control-note");
    const actorsBox = document.getElementById("control-actors");
    actorsBox.replaceChildren();
    if (features instanceof Error) {
      note.textContent = "Control data unavailable (" + features.message + ").";
      return;
    }
    const present = new Map();
    for (const f of features) {
      const p = f.properties || {};
      if (p.kind === "area") {
        const status = STATUSES.indexOf(p.status) >= 0 ? p.status : "assessed";
        const colourIndex = actorColour(p.actor);
        present.set(p.actor || "unknown", colourIndex);
        const style = controlStyle(status, colourIndex);
        if (p.inferred) style.fillOpacity = status === "contested" ? style.fillOpacity : 0.14;
        const layer = L.geoJSON(f, {
          pane: "control",
          style: Object.assign({ className: "sitrep-area sitrep-area-" + status + (p.inferred ? " sitrep-area-inferred" : "") }, style),
        });
        const places = Array.isArray(p.places) ? p.places.join(", ") : "";
        const how = p.inferred ? " (held before it fell; inferred)" : " (" + status + ")";
        layer.bindTooltip(el("span", { text: (p.actor || "unknown") + how + ": " + places }), { sticky: true });
        layer.addTo(controlLayer);
      } else if (p.kind === "front") {
        L.geoJSON(f, {
          pane: "front",
          interactive: false,
          style: { color: "#111", weight: 3.5, opacity: 0.9, className: "sitrep-front" },
        }).addTo(frontLayer);
      } else if (p.kind === "place" && f.geometry && Array.isArray(f.geometry.coordinates)) {
        const [lon, lat] = f.geometry.coordinates;
        const colourIndex = actorColour(p.actor);
        const dot = L.circleMarker([lat, lon], {
          pane: "front",
          radius: 4,
          color: "#222",
          weight: 1,
          fillColor: ACTOR_PALETTE[colourIndex],
          fillOpacity: 1,
          className: "sitrep-control sitrep-control-" + (p.status || "assessed"),
        });
        dot.bindTooltip(el("span", { text: (p.place || "?") + ": " + (p.actor || "unknown") + (p.since ? " since " + p.since : "") }));
        dot.on("click", function () {
          showControl(p, p.status || "assessed");
        });
        dot.addTo(controlLayer);
      }
    }
    for (const [actor, colourIndex] of Array.from(present).sort()) {
      actorsBox.append(el("li", {}, [legendMark("assessed", colourIndex), actor]));
    }
    note.textContent = present.size ? "" : "No settlement control known for this date.";
  }

  function showControl(c, status) {
    const box = detailBox();
    box.append(el("p", { className: "kind", text: "Control of a settlement" }));
    box.append(el("h3", { text: c.place || "Unknown place" }));
    const dl = el("dl");
    row(dl, "Held by", c.actor);
    if (c.reported_actor) row(dl, "Reported as", c.reported_actor);
    row(dl, "Status", status);
    row(dl, "Region", c.admin1);
    row(dl, "Since", c.since || c.valid_from || (c.inferred ? "before its first recorded change (inferred)" : ""));
    box.append(dl);
    const ids = Array.isArray(c.event_ids) ? c.event_ids : [];
    box.append(el("h4", { text: "Evidence events (" + ids.length + ")" }));
    const list = el("ul", { className: "event-list" });
    for (const id of ids) {
      const e = state.events.find((x) => x.id === id);
      const button = el("button", { text: e ? eventLabel(e) : String(id) });
      button.type = "button";
      button.disabled = !e;
      if (e) button.addEventListener("click", () => selectEvent(e));
      list.append(el("li", {}, [button]));
    }
    box.append(list);
  }

  function buildStatusLegend() {
    const box = document.getElementById("control-statuses");
    const words = { assessed: "held (assessed)", claimed: "claimed", contested: "contested" };
    for (const status of STATUSES) box.append(el("li", {}, [legendMark(status, 8), words[status]]));
  }

  // ---- controls ---------------------------------------------------------------------------------------------------

  function buildTypeFilter() {
    const box = document.getElementById("types");
    const present = new Set(state.events.map((e) => e.type));
    const order = Object.keys(TYPE_COLOURS).concat([OTHER_TYPE]).filter((t) => present.has(t));
    for (const type of order) {
      state.types.add(type);
      const input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = type;
      input.addEventListener("change", function () {
        if (input.checked) state.types.add(type);
        else state.types.delete(type);
        renderEvents();
      });
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = typeColour(type);
      const count = el("span", { className: "count", text: "0" });
      count.dataset.type = type;
      box.append(el("label", {}, [input, swatch, type, count]));
    }
  }

  function setDay(day) {
    state.day = Math.max(state.firstDay, Math.min(state.lastDay, day));
    const slider = document.getElementById("slider");
    slider.value = String(state.day - state.firstDay);
    document.getElementById("date-label").textContent = formatDay(state.day);
    renderEvents();
    scheduleControl();
    for (const listener of dayListeners) listener(state.day);
  }

  function stopPlaying() {
    if (state.playing !== null) clearInterval(state.playing);
    state.playing = null;
    const play = document.getElementById("play");
    play.textContent = "\u25B6";
    play.setAttribute("aria-label", "Play");
  }

  function togglePlay() {
    if (state.playing !== null) {
      stopPlaying();
      return;
    }
    if (state.day >= state.lastDay) setDay(state.firstDay);
    const play = document.getElementById("play");
    play.textContent = "\u275A\u275A";
    play.setAttribute("aria-label", "Pause");
    state.playing = setInterval(function () {
      if (state.day >= state.lastDay) stopPlaying();
      else setDay(state.day + 1);
    }, PLAY_MS);
  }

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function wireControls() {
    const slider = document.getElementById("slider");
    const days = state.events.map((e) => e.day).filter((d) => d !== null);
    const today = Math.floor(Date.now() / DAY_MS);
    state.firstDay = days.length ? Math.min.apply(null, days) : today;
    state.lastDay = days.length ? Math.max.apply(null, days) : today;
    slider.min = "0";
    slider.max = String(state.lastDay - state.firstDay);
    slider.disabled = state.lastDay === state.firstDay;
    document.getElementById("play").disabled = slider.disabled;
    slider.addEventListener("input", function () {
      stopPlaying();
      setDay(state.firstDay + Number(slider.value));
    });
    document.getElementById("play").addEventListener("click", togglePlay);
    document.getElementById("window").addEventListener("change", function (ev) {
      state.window = Number(ev.target.value) || 0;
      renderEvents();
    });
    const actor = document.getElementById("actor-filter");
    actor.addEventListener("input", debounce(function () {
      state.actor = actor.value.trim().toLowerCase();
      renderEvents();
    }, 150));
    const place = document.getElementById("place-filter");
    place.addEventListener("input", debounce(function () {
      state.place = place.value.trim().toLowerCase();
      renderEvents();
    }, 150));
    map.on("zoomend", renderEvents);
    map.on("moveend", renderLabels);
    // After the layers control has finished adding or removing the layer.
    map.on("overlayadd overlayremove", () => setTimeout(renderLabels, 0));
  }

  function fail(err) {
    const status = document.getElementById("status");
    status.classList.add("error");
    status.textContent = "Could not load events: " + (err && err.message ? err.message : String(err));
  }

  // What the page's other scripts (alerts.js, the alerts layer) build on: the map, its layer switcher, the panel,
  // the events, and the slider's day (a listener is called with the day number whenever it changes).
  const dayListeners = [];
  window.sitrepMap = {
    map: map,
    layersControl: layersControl,
    el: el,
    detailBox: detailBox,
    selectEvent: selectEvent,
    eventById: (id) => state.events.find((e) => e.id === id) || null,
    eventLabel: eventLabel,
    parseDay: parseDay,
    onDay: (listener) => dayListeners.push(listener),
  };

  makePatterns();
  buildStatusLegend();
  const borders = loadBorders().catch(function (err) {
    document.getElementById("control-note").textContent = "Borders unavailable (" + err.message + ").";
  });
  loadEvents()
    .then(function () {
      buildTypeFilter();
      wireControls();
      if (state.events.length) {
        const bounds = L.latLngBounds(state.events.map((e) => [e.lat, e.lon]));
        map.fitBounds(bounds.pad(0.25), { maxZoom: 8, animate: false });
      }
      setDay(state.lastDay);
      return borders;
    })
    .then(function () {
      document.body.dataset.ready = "true";
    })
    .catch(fail);
})();
