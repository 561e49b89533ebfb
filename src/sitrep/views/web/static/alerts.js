/* Sitrep map: the alerts layer. The alerts of the server's rules (`sitrep serve --alerts RULES.yaml`, read from
 * api/alerts: the alerts `sitrep alerts test` prints) that fired up to the slider's day, as red marks on the map
 * that switch off with the other layers ("Alerts"), and listed in the panel; a click shows an alert's evidence.
 *
 * Rule names, places and sentences come from the user and from articles: they are only ever put into the page
 * with textContent, as in app.js.
 */
(function () {
  "use strict";

  const S = window.sitrepMap;
  const panel = document.getElementById("alerts");
  if (!S || !panel) return;
  const list = document.getElementById("alert-list");
  const note = document.getElementById("alert-note");
  const count = document.getElementById("alert-count");
  const el = S.el;

  S.map.createPane("alerts").style.zIndex = "430"; // above the events (420): an alert is the news
  const layer = L.layerGroup();
  const state = { alerts: null, day: null };

  const KINDS = {
    control_change: "a change of control",
    front_within: "a front nearing a city",
    fatalities_at_least: "a deadly event",
  };

  function located(a) {
    return typeof a.latitude === "number" && typeof a.longitude === "number";
  }

  /** The alerts that fired up to the slider's day, oldest first. */
  function shown() {
    if (state.alerts === null || state.day === null) return [];
    return state.alerts.filter((a) => a.day !== null && a.day <= state.day);
  }

  function render() {
    layer.clearLayers();
    list.replaceChildren();
    if (state.alerts === null || state.day === null) return;
    const alerts = shown();
    // One mark per point, naming every alert there ("A1, A3").
    const points = new Map();
    for (const a of alerts.filter(located)) {
      const key = a.latitude.toFixed(4) + "," + a.longitude.toFixed(4);
      if (!points.has(key)) points.set(key, []);
      points.get(key).push(a);
    }
    for (const group of points.values()) {
      const marker = L.marker([group[0].latitude, group[0].longitude], {
        pane: "alerts",
        keyboard: true,
        title: group.map((a) => a.mark + ": " + a.rule).join("; "),
        icon: L.divIcon({ className: "sitrep-alert", html: el("span", { text: group.map((a) => a.mark).join(", ") }), iconSize: null }),
      });
      marker.on("click", () => (group.length === 1 ? showAlert(group[0]) : showGroup(group)));
      // Leaflet makes the mark's element anew each time the layer is switched on: its marks go on each one.
      marker.on("add", function () {
        const node = marker.getElement();
        if (node) node.dataset.marks = group.map((a) => a.mark).join(",");
      });
      marker.addTo(layer);
    }
    for (const a of alerts) list.append(el("li", {}, [alertButton(a)]));
    count.textContent = "(" + alerts.length + ")";
    panel.dataset.shown = String(alerts.length);
    if (!alerts.length) note.textContent = "No alert has fired up to this day.";
    else note.textContent = "Up to this day; the red marks on the map. Click one to read its evidence.";
  }

  function alertButton(a) {
    const button = el("button", {}, [
      el("span", { className: "mark", text: a.mark }),
      el("span", { text: [a.date, a.rule, a.place].filter(Boolean).join(" · ") }),
    ]);
    button.type = "button";
    button.addEventListener("click", function () {
      if (located(a) && S.map.hasLayer(layer)) S.map.panTo([a.latitude, a.longitude]);
      showAlert(a);
    });
    return button;
  }

  function showGroup(group) {
    const box = S.detailBox();
    box.append(el("h3", { text: group.length + " alerts at " + (group[0].place || "this place") }));
    const ul = el("ul", { className: "alert-list" });
    for (const a of group) ul.append(el("li", {}, [alertButton(a)]));
    box.append(ul);
  }

  function showAlert(a) {
    const box = S.detailBox();
    box.dataset.alert = a.mark;
    box.append(el("p", { className: "kind alert-kind", text: "Alert " + a.mark + ": " + (KINDS[a.when] || a.when) }));
    box.append(el("h3", { text: a.rule }));
    const dl = el("dl");
    for (const [label, value] of [["Date", a.date], ["Place", a.place], ["Actor", a.actor], ["What", a.detail]]) {
      if (value) dl.append(el("dt", { text: label }), el("dd", { text: value }));
    }
    box.append(dl);
    const sentences = Array.isArray(a.evidence) ? a.evidence.filter((s) => typeof s === "string" && s.trim()) : [];
    box.append(el("h4", { text: "Evidence (" + sentences.length + ")" }));
    const evidence = el("ul", { className: "evidence" });
    for (const sentence of sentences) evidence.append(el("li", { text: sentence }));
    box.append(evidence);
    const ids = Array.isArray(a.event_ids) ? a.event_ids : [];
    if (ids.length) {
      box.append(el("h4", { text: "Events (" + ids.length + ")" }));
      const events = el("ul", { className: "event-list" });
      for (const id of ids) {
        const e = S.eventById(id);
        const button = el("button", { text: e ? S.eventLabel(e) : String(id) });
        button.type = "button";
        button.disabled = !e;
        if (e) button.addEventListener("click", () => S.selectEvent(e));
        events.append(el("li", {}, [button]));
      }
      box.append(events);
    }
  }

  // The layer switch hides the list with the marks.
  S.map.on("overlayadd overlayremove", function (ev) {
    if (ev.layer === layer) panel.hidden = ev.type === "overlayremove";
  });

  S.onDay(function (day) {
    state.day = day;
    render();
    if (state.alerts !== null) panel.dataset.ready = "true";
  });

  fetch("api/alerts", { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("api/alerts: HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      const rules = Array.isArray(data.rules) ? data.rules : [];
      const alerts = Array.isArray(data.alerts) ? data.alerts : [];
      // Marked in the order they fired, so a mark stays the same while the slider moves.
      state.alerts = alerts.map((a, i) => Object.assign({}, a, { mark: "A" + (i + 1), day: S.parseDay(a.date) }));
      if (!rules.length) {
        note.textContent = "No alert rules: start the server with sitrep serve --alerts RULES.yaml.";
      } else {
        layer.addTo(S.map);
        S.layersControl.addOverlay(layer, "Alerts");
        render();
      }
      if (state.day !== null || !rules.length) panel.dataset.ready = "true";
    })
    .catch(function (err) {
      note.textContent = "Alerts unavailable (" + (err && err.message ? err.message : String(err)) + ").";
      panel.dataset.ready = "true";
    });
})();
