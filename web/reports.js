/* The public list page: filters (kept in the address, so a filtered list can be shared), pages
 * read with the API's cursor, a map of the reports that have a location when a tile server is
 * configured, and the Atom feed of the same filters. Everything from the server is written with
 * textContent (Lapor.el): nothing becomes markup. */
(function () {
  "use strict";

  var I = window.I18N;
  var Lp = window.Lapor;
  var Leaf = window.L;  // Leaflet
  var $ = function (id) { return document.getElementById(id); };
  var FILTERS = ["province_code", "regency_code", "category_id", "agency_id", "status", "kind",
                 "received_from", "received_to", "sort"];
  var FEED_FILTERS = FILTERS.filter(function (name) { return name !== "sort"; });
  var PAGE = 20;

  I.extend({
    "browse.doctitle": "Browse reports — LAPOR!",
    "browse.title": "Browse reports",
    "browse.lead": "Citizens' reports that have been verified and are not confidential. The reporter's identity is never shown.",
    "browse.filters": "Filter reports",
    "browse.all": "All",
    "browse.status": "Status",
    "browse.kind": "Type",
    "browse.from": "Received from",
    "browse.to": "Received until",
    "browse.sort": "Sort by",
    "browse.sort_newest": "Newest",
    "browse.sort_supported": "Most supported",
    "browse.apply": "Apply",
    "browse.feed": "Atom feed of these filters",
    "browse.map": "Map of reports",
    "browse.map_hint": "Only reports with a location appear on the map. The list below has them all.",
    "browse.results": "Reports",
    "browse.more": "Load more",
    "browse.st_dispatched": "Dispatched to the agency",
    "browse.st_assigned": "Assigned to a unit",
    "browse.st_in_progress": "Being handled",
    "browse.st_awaiting_reporter": "Waiting for the reporter",
    "browse.st_completed": "Completed",
    "browse.st_archived": "Archived"
  }, {
    "browse.count": ["{n} laporan ditampilkan.", "{n} reports shown."],
    "browse.count_more": ["{n} laporan ditampilkan; masih ada lagi.", "{n} reports shown; there are more."],
    "browse.none": ["Tidak ada laporan yang cocok dengan saringan ini.", "No report matches these filters."],
    "browse.loading": ["Memuat laporan…", "Loading reports…"],
    "browse.supporters": ["{n} pendukung", "{n} supporters"],
    "browse.received": ["Diterima {date}", "Received {date}"],
    "browse.open_report": ["Buka laporan", "Open the report"],
    "browse.overdue": ["Terlambat", "Overdue"]
  });

  var state = { regions: [], agencies: {}, categories: {}, cursor: null, items: [], map: null, markers: null };

  function option(value, text) { return Lp.el("option", { value: value, text: text }); }

  function keepFirst(select) { while (select.options.length > 1) select.remove(1); }

  function fillRegencies() {
    var select = $("f-regency");
    var chosen = select.value || select.getAttribute("data-wanted") || "";
    var province = state.regions.filter(function (p) { return p.code === $("f-province").value; })[0];
    keepFirst(select);
    (province ? province.regencies || [] : []).forEach(function (r) { select.appendChild(option(r.code, r.name)); });
    select.disabled = !province;
    select.value = province && chosen.indexOf(province.code + ".") === 0 ? chosen : "";
    select.removeAttribute("data-wanted");
  }

  function categoryName(id) {
    var c = state.categories[id];
    if (!c) return id;
    return I.lang() === "en" && c.name_en ? c.name_en : c.name;
  }

  /* Options from reference data; the value asked for in the address is kept until its option exists. */
  function refill(select, pairs) {
    var wanted = select.value || select.getAttribute("data-wanted") || "";
    keepFirst(select);
    pairs.forEach(function (p) { select.appendChild(option(p[0], p[1])); });
    select.value = wanted;
    if (select.value === wanted) select.removeAttribute("data-wanted");
  }

  function fillReference() {
    refill($("f-province"), state.regions.map(function (p) { return [p.code, p.name]; }));
    refill($("f-category"), Object.keys(state.categories).map(function (id) { return [id, categoryName(id)]; }));
    refill($("f-agency"), Object.keys(state.agencies).map(function (id) { return [id, state.agencies[id].name]; }));
    fillRegencies();
  }

  function fromAddress() {
    var params = new URLSearchParams(window.location.search);
    FILTERS.forEach(function (name) {
      var control = document.querySelector("#filters [name='" + name + "']");
      var value = params.get(name);
      if (!control || value === null) return;
      control.value = value;
      if (control.tagName === "SELECT") control.setAttribute("data-wanted", value);
    });
  }

  function chosen(names) {
    var params = new URLSearchParams();
    names.forEach(function (name) {
      var control = document.querySelector("#filters [name='" + name + "']");
      if (control && control.value && !(name === "sort" && control.value === "newest")) params.set(name, control.value);
    });
    return params;
  }

  function updateFeedLink() {
    var query = chosen(FEED_FILTERS).toString();
    $("feed-link").setAttribute("href", "reports/feed.xml" + (query ? "?" + query : ""));
  }

  // ---- the list --------------------------------------------------------------------------------
  function row(item) {
    var meta = [Lp.el("span", { className: "badge", text: I.pick(item.status_label) })];
    if (item.overdue) meta.push(Lp.el("span", { className: "badge badge-overdue", text: I.t("browse.overdue") }));
    var facts = [I.t("kind." + item.kind), item.category_id ? categoryName(item.category_id) : null,
                 item.agency_id && state.agencies[item.agency_id] ? state.agencies[item.agency_id].name : null,
                 item.regency_name || item.province_name]
      .filter(Boolean).join(" · ");
    return Lp.el("li", { className: "card report-row" }, [
      Lp.el("h3", { className: "report-row-title" }, [
        Lp.el("a", { href: "track?id=" + encodeURIComponent(item.tracking_id), text: item.title })
      ]),
      Lp.el("p", { className: "status-line" }, meta),
      Lp.el("p", { className: "hint", text: facts }),
      Lp.el("p", { text: item.description }),
      Lp.el("p", { className: "hint" }, [
        I.t("browse.received", { date: Lp.formatDateTime(item.received_at) }) + " · ",
        Lp.el("span", { className: "mono", text: item.tracking_id }), " · ",
        Lp.el("span", { className: "supporters", text: I.t("browse.supporters", { n: item.supporter_count }) })
      ])
    ]);
  }

  function renderStatus() {
    var n = state.items.length;
    $("results-status").textContent = n === 0 && !state.cursor ? I.t("browse.none")
      : I.t(state.cursor ? "browse.count_more" : "browse.count", { n: n });
  }

  function load(more) {
    var params = chosen(FILTERS);
    params.set("limit", String(PAGE));
    if (more && state.cursor) params.set("cursor", state.cursor);
    $("results-status").textContent = I.t("browse.loading");
    $("more").disabled = true;
    return Lp.api("reports?" + params.toString()).then(function (result) {
      $("more").disabled = false;
      if (!result.ok) {
        $("results-status").textContent = Lp.messageOf(result);
        return;
      }
      if (!more) {
        state.items = [];
        $("results").textContent = "";
      }
      var first = null;
      result.data.items.forEach(function (item) {
        state.items.push(item);
        var li = row(item);
        first = first || li;
        $("results").appendChild(li);
      });
      state.cursor = result.data.next_cursor;
      $("more").hidden = !state.cursor;
      renderStatus();
      drawMarkers();
      if (more && first) first.querySelector("a").focus();
    }, function () {
      $("more").disabled = false;
      $("results-status").textContent = I.t("err.network_short");
    });
  }

  // ---- the map (only with a tile server) --------------------------------------------------------
  function tiles() {
    var meta = document.querySelector("meta[name='lapor-map-tiles']");
    return meta ? meta.getAttribute("content") : "";
  }

  function startMap() {
    if (!tiles() || !Leaf) return;
    $("map-section").hidden = false;
    var attribution = document.querySelector("meta[name='lapor-map-attribution']").getAttribute("content");
    var safe = Lp.el("span", { text: attribution }).innerHTML;  // plain text: Leaflet writes it as markup
    state.map = Leaf.map("map", { scrollWheelZoom: false }).setView([-2.5, 118], 4);
    Leaf.tileLayer(tiles(), { maxZoom: 18, attribution: safe }).addTo(state.map);
    state.markers = Leaf.layerGroup().addTo(state.map);
  }

  function drawMarkers() {
    if (!state.map) return;
    state.markers.clearLayers();
    var points = [];
    state.items.forEach(function (item) {
      if (typeof item.lat !== "number" || typeof item.lon !== "number") return;
      var link = Lp.el("a", { href: "track?id=" + encodeURIComponent(item.tracking_id), text: item.title });
      Leaf.circleMarker([item.lat, item.lon], { radius: 8, color: "#0b2a4a", weight: 2, fillColor: "#c8102e", fillOpacity: 0.8 })
        .bindPopup(Lp.el("div", {}, [link, Lp.el("p", { text: I.pick(item.status_label) })]))
        .addTo(state.markers);
      points.push([item.lat, item.lon]);
    });
    if (points.length) state.map.fitBounds(points, { maxZoom: 15, padding: [24, 24] });
  }

  // ---- start -----------------------------------------------------------------------------------
  $("filters").addEventListener("submit", function (event) {
    event.preventDefault();
    var query = chosen(FILTERS).toString();
    window.history.replaceState(null, "", "reports" + (query ? "?" + query : ""));
    updateFeedLink();
    load(false);
  });
  $("f-province").addEventListener("change", fillRegencies);
  $("more").addEventListener("click", function () { load(true); });
  I.onChange(function () {
    fillReference();
    state.items.length ? rerender() : renderStatus();
  });

  function rerender() {
    $("results").textContent = "";
    state.items.forEach(function (item) { $("results").appendChild(row(item)); });
    renderStatus();
  }

  fromAddress();
  updateFeedLink();
  startMap();
  Promise.all([Lp.api("regions"), Lp.api("agencies"), Lp.api("categories")]).then(function (results) {
    if (results.some(function (r) { return !r.ok; })) throw results.filter(function (r) { return !r.ok; })[0];
    state.regions = results[0].data.provinces || [];
    (results[1].data.agencies || []).forEach(function (a) { state.agencies[a.id] = a; });
    (results[2].data.categories || []).forEach(function (c) { state.categories[c.id] = c; });
    fillReference();
  }).catch(function (failure) {
    $("load-error").textContent = I.t("err.load") + " " +
      (failure instanceof Lp.NetworkError ? I.t("err.network_short") : Lp.messageOf(failure));
    $("load-error").hidden = false;
  }).then(function () { return load(false); });
})();
