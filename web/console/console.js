/* The staff console. It signs in at Cognito straight from the browser (the password never
 * reaches the platform), then speaks only the published staff API: what may be done with a
 * report (allowed_actions) and how much time is left (stage_clocks, next_due) are the server's
 * answers, shown here, never decided here. Everything from the server is written as text. */
(function () {
  "use strict";

  var I = window.I18N;
  var L = window.Lapor;
  var el = L.el;
  var SESSION_KEY = "lapor.console.session";
  var TID = /^[0-9A-Z]{4}-[0-9A-Z]{4}$/;
  var PAGE_SIZE = 50;

  var state = { config: null, session: null, me: null, agencies: null, categories: null, regions: null,
                timer: null, pendingChallenge: null, rendered: null };

  // ---- language: elements carry both texts, so switching never re-renders a form ------------
  function en() { return I.lang() === "en"; }
  function tr(id, english) { return en() ? english : id; }
  /* An element whose text follows the language switch. */
  function tx(tag, id, english, attrs, children) {
    var node = el(tag, attrs, children);
    node.setAttribute("data-t-id", id);
    node.setAttribute("data-t-en", english);
    node.insertBefore(document.createTextNode(tr(id, english)), node.firstChild);
    return node;
  }
  var STATIC = {
    "brand": "Staff console", "nav.queue": "My queue", "nav.new": "Record a report", "nav.stats": "Statistics",
    "nav.admin": "Settings", "signout": "Sign out", "signin.title": "Sign in to the staff console",
    "signin.expired": "Your session has ended. Sign in again to continue; the work on screen is kept.",
    "signin.newpw": "This is your first sign-in: choose a new password (at least 8 characters with upper and lower case letters, a digit and a symbol).",
    "footer": "SP4N-LAPOR! staff console: central, agency and provincial admins and liaison officers."
  };
  var staticId = {};
  function relabel() {
    document.querySelectorAll("[data-c]").forEach(function (node) {
      var key = node.getAttribute("data-c");
      if (!(key in staticId)) staticId[key] = node.textContent;
      node.textContent = en() ? STATIC[key] || staticId[key] : staticId[key];
    });
    document.querySelectorAll("[data-t-id]").forEach(function (node) {
      var text = tr(node.getAttribute("data-t-id"), node.getAttribute("data-t-en"));
      if (node.firstChild && node.firstChild.nodeType === 3) node.firstChild.textContent = text;
      else node.insertBefore(document.createTextNode(text), node.firstChild);
    });
    document.querySelectorAll("[data-l-id]").forEach(function (node) {
      node.setAttribute("aria-label", tr(node.getAttribute("data-l-id"), node.getAttribute("data-l-en")));
    });
    document.getElementById("console-nav").setAttribute("aria-label", tr("Menu konsol", "Console menu"));
    document.title = tr("Konsol petugas — LAPOR!", "Staff console — LAPOR!");
  }
  I.onChange(relabel);

  var STATUS = {
    submitted: ["Belum terverifikasi", "Not yet verified"], postponed: ["Ditunda", "Postponed"],
    dispatched: ["Terdisposisi ke instansi", "Dispatched to agency"], assigned: ["Terdisposisi ke unit", "Assigned to unit"],
    in_progress: ["Ditindaklanjuti", "In progress"], awaiting_reporter: ["Menunggu tanggapan pelapor", "Awaiting reporter"],
    completed: ["Selesai", "Completed"], archived: ["Diarsipkan", "Archived"]
  };
  var STAGE = {
    verification: ["Verifikasi", "Verification"], agency_review: ["Penelaahan oleh instansi", "Agency review"],
    first_response: ["Tanggapan pertama", "First response"], completion: ["Penyelesaian", "Completion"],
    reporter_reply: ["Tanggapan pelapor", "Reporter's reply"], clarification: ["Klarifikasi pelapor", "Clarification"],
    ombudsman_referral: ["Rujukan Ombudsman", "Ombudsman referral"]
  };
  var KIND = { complaint: ["Pengaduan", "Complaint"], aspiration: ["Aspirasi", "Aspiration"],
               information_request: ["Permintaan informasi", "Information request"] };
  var CHANNEL = { web: ["Situs web", "Website"], api: ["API", "API"], sms: ["SMS", "SMS"], whatsapp: ["WhatsApp", "WhatsApp"],
                  email: ["E-mail", "E-mail"], call_centre: ["Pusat panggilan", "Call centre"],
                  social_media: ["Media sosial", "Social media"], suggestion_box: ["Kotak saran", "Suggestion box"],
                  walk_in: ["Datang langsung", "Walk-in"], mobile_app: ["Aplikasi seluler", "Mobile app"] };
  var REASON = { incomplete: ["Tidak lengkap", "Incomplete"], out_of_scope: ["Di luar kewenangan", "Out of scope"],
                 duplicate: ["Duplikat", "Duplicate"], spam: ["Spam", "Spam"],
                 not_public_service: ["Bukan pelayanan publik", "Not a public service"] };
  var GROUPS = { agency: ["Instansi", "Agency"], unit: ["Unit", "Unit"], category: ["Kategori", "Category"],
                 channel: ["Kanal", "Channel"], kind: ["Klasifikasi", "Kind"] };
  var ROLE = { central_admin: ["Admin pusat", "Central admin"], agency_admin: ["Admin instansi", "Agency admin"],
               liaison_officer: ["Pejabat penghubung", "Liaison officer"], provincial_admin: ["Admin provinsi", "Provincial admin"] };
  function tmap(tag, map, key, attrs) {
    var pair = map[key] || [key, key];
    return tx(tag, pair[0], pair[1], attrs);
  }

  // ---- notices ------------------------------------------------------------------------------
  function notify(kind, id, english, focus) {
    var box = document.getElementById("notice");
    box.className = "notice notice-" + kind;
    box.textContent = "";
    box.appendChild(tx("span", id, english));
    box.hidden = false;
    if (focus) box.focus();
  }
  function clearNotice() { document.getElementById("notice").hidden = true; }
  function notifyServer(result) {
    var error = L.errorOf(result);
    notify("error", error.message_id || I.pick(error.message) || "Terjadi kesalahan pada server, coba lagi.",
           error.message_en || I.pick(error.message) || "Something went wrong on the server, try again.", true);
  }

  // ---- session ------------------------------------------------------------------------------
  function claims(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(decodeURIComponent(escape(window.atob(part))));
    } catch (e) { return {}; }
  }
  function saveSession(result, username) {
    var c = claims(result.IdToken);
    state.session = { idToken: result.IdToken, accessToken: result.AccessToken, exp: c.exp || 0,
                      username: c["cognito:username"] || username };
    try { window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session)); } catch (e) { /* private mode */ }
    armTimer();
  }
  function loadSession() {
    try { state.session = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) || "null"); } catch (e) { state.session = null; }
    if (state.session && !live()) state.session = null;
  }
  /* The session as this tab keeps it (sessionStorage when available): it ends with its token. */
  function live() {
    try {
      var kept = window.sessionStorage.getItem(SESSION_KEY);
      state.session = kept ? JSON.parse(kept) : null;
    } catch (e) { /* private mode: the copy in memory */ }
    return Boolean(state.session && state.session.exp * 1000 > Date.now() + 5000);
  }
  function armTimer() {
    window.clearTimeout(state.timer);
    if (!state.session) return;
    state.timer = window.setTimeout(function () { expire(); }, Math.max(0, state.session.exp * 1000 - Date.now() - 5000));
  }
  function forget() {
    window.clearTimeout(state.timer);
    state.session = null;
    try { window.sessionStorage.removeItem(SESSION_KEY); } catch (e) { /* nothing kept */ }
  }
  /* The token ended: ask to sign in again over the work on screen, which stays as it is. */
  function expire() {
    forget();
    showSignin(true);
  }

  function cognito(target, body) {
    return fetch(state.config.cognito_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService." + target },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    });
  }

  function showSignin(expired) {
    var section = document.getElementById("signin");
    section.hidden = false;
    document.getElementById("signin-expired").hidden = !expired;
    document.getElementById("console-nav").hidden = !expired;
    if (!expired) {
      document.getElementById("view").textContent = "";
      document.getElementById("who").hidden = true;
    }
    document.getElementById("username").focus();
  }

  var COGNITO_ERRORS = {
    NotAuthorizedException: ["Nama pengguna atau kata sandi salah.", "Incorrect username or password."],
    UserNotFoundException: ["Nama pengguna atau kata sandi salah.", "Incorrect username or password."],
    PasswordResetRequiredException: ["Kata sandi harus diatur ulang oleh admin.", "The password must be reset by an admin."],
    InvalidPasswordException: ["Kata sandi baru tidak memenuhi ketentuan.", "The new password does not meet the policy."],
    TooManyRequestsException: ["Terlalu banyak percobaan, tunggu sebentar.", "Too many attempts, wait a moment."]
  };

  function signinErrors() {
    var form = document.getElementById("signin-form");
    if (!state.signinErrors) state.signinErrors = new L.FieldErrors(form);
    return state.signinErrors;
  }
  function signinProblem(id, english) {
    var box = document.getElementById("signin-error");
    box.textContent = "";
    box.appendChild(tx("span", id, english));
    box.hidden = false;
  }

  function onSignin(event) {
    event.preventDefault();
    var errors = signinErrors();
    errors.clear();
    document.getElementById("signin-error").hidden = true;
    var username = document.getElementById("username").value.trim();
    var password = document.getElementById("password").value;
    var request;
    if (state.pendingChallenge) {
      var p1 = document.getElementById("new-password").value;
      var p2 = document.getElementById("new-password2").value;
      if (p1.length < 8) errors.add("new_password", function () { return tr("Minimal 8 karakter.", "At least 8 characters."); });
      else if (p1 !== p2) errors.add("new_password2", function () { return tr("Kedua kata sandi tidak sama.", "The two passwords differ."); });
      if (errors.any()) { errors.render(); return; }
      request = cognito("RespondToAuthChallenge", {
        ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: state.config.client_id, Session: state.pendingChallenge.session,
        ChallengeResponses: { USERNAME: state.pendingChallenge.username, NEW_PASSWORD: p1 }
      });
    } else {
      if (!username) errors.add("username", function () { return tr("Isi nama pengguna.", "Enter your username."); });
      if (!password) errors.add("password", function () { return tr("Isi kata sandi.", "Enter your password."); });
      if (errors.any()) { errors.render(); return; }
      request = cognito("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", ClientId: state.config.client_id,
                                          AuthParameters: { USERNAME: username, PASSWORD: password } });
    }
    var button = document.getElementById("signin-submit");
    button.disabled = true;
    request.then(function (result) {
      button.disabled = false;
      var data = result.data || {};
      if (!result.ok) {
        var type = String(data.__type || "").split("#").pop();
        var pair = COGNITO_ERRORS[type] || ["Gagal masuk: " + (data.message || type), "Sign-in failed: " + (data.message || type)];
        signinProblem(pair[0], pair[1]);
        return;
      }
      if (data.ChallengeName === "NEW_PASSWORD_REQUIRED") {
        state.pendingChallenge = { session: data.Session, username: username };
        document.getElementById("new-password-group").hidden = false;
        document.getElementById("new-password").focus();
        return;
      }
      if (!data.AuthenticationResult) {
        signinProblem("Cara masuk ini tidak didukung.", "This sign-in step is not supported.");
        return;
      }
      state.pendingChallenge = null;
      document.getElementById("new-password-group").hidden = true;
      document.getElementById("password").value = "";
      saveSession(data.AuthenticationResult, username);
      signedIn();
    }, function () {
      button.disabled = false;
      signinProblem("Koneksi ke layanan masuk terputus, coba lagi.", "Could not reach the sign-in service, try again.");
    });
  }

  function signOut() {
    var access = state.session && state.session.accessToken;
    if (access) cognito("GlobalSignOut", { AccessToken: access }).catch(function () { /* the token ends anyway */ });
    forget();
    state.me = null;
    showSignin(false);
    notify("success", "Anda telah keluar.", "You have signed out.");
  }

  /* A staff API call with the token; a 401 means the session ended. */
  function staff(path, options) {
    if (!live()) { expire(); return Promise.reject(new Error("expired")); }
    var opts = Object.assign({}, options || {});
    opts.headers = Object.assign({ Authorization: "Bearer " + state.session.idToken }, opts.headers || {});
    return L.api(path, opts).then(function (result) {
      if (result.status === 401) { expire(); throw new Error("expired"); }
      return result;
    });
  }

  function signedIn() {
    document.getElementById("signin").hidden = true;
    staff("staff/me").then(function (result) {
      if (!result.ok) { notifyServer(result); return; }
      state.me = result.data;
      var who = document.getElementById("who-name");
      who.textContent = "";
      who.appendChild(document.createTextNode(state.me.username + " · "));
      who.appendChild(tmap("span", ROLE, state.me.role));
      document.getElementById("who").hidden = false;
      var nav = document.getElementById("console-nav");
      nav.hidden = false;
      nav.querySelectorAll("[data-roles]").forEach(function (a) {
        a.hidden = a.getAttribute("data-roles").split(" ").indexOf(state.me.role) < 0;
      });
      if (state.rendered && state.rendered === location.hash) return; // the work on screen stays
      route();
    }).catch(function () { /* expired: the sign-in form is showing */ });
  }

  // ---- reference data -----------------------------------------------------------------------
  function reference() {
    if (state.agencies) return Promise.resolve();
    return Promise.all([L.api("agencies"), L.api("categories"), L.api("regions")]).then(function (r) {
      state.agencies = (r[0].data && r[0].data.agencies) || [];
      state.categories = (r[1].data && r[1].data.categories) || [];
      state.regions = r[2].data || {};
    });
  }
  function agencyName(id) {
    var a = (state.agencies || []).filter(function (x) { return x.id === id; })[0];
    return a ? a.name : id;
  }
  function unitName(agencyId, unitId) {
    var a = (state.agencies || []).filter(function (x) { return x.id === agencyId; })[0];
    var u = a && a.units.filter(function (x) { return x.id === unitId; })[0];
    return u ? u.name : unitId;
  }
  function categoryName(id) {
    var c = (state.categories || []).filter(function (x) { return x.id === id; })[0];
    if (!c) return id || "—";
    return en() && c.name_en ? c.name_en : c.name;
  }
  function provinces() { return state.regions.provinces || []; }
  function regenciesOf(code) {
    var p = provinces().filter(function (x) { return x.code === code; })[0];
    return p ? p.regencies || [] : [];
  }

  // ---- small builders -----------------------------------------------------------------------
  var uid = 0;
  function field(key, labelId, labelEn, control, hintPair) {
    uid += 1;
    control.id = control.id || "f" + uid + "-" + key.replace(/[^a-z_]/g, "");
    var errorId = control.id + "-error";
    var described = [errorId];
    var wrap = el("div", { className: "field", "data-field": key });
    wrap.appendChild(tx("label", labelId, labelEn, { "for": control.id }));
    if (hintPair) {
      wrap.appendChild(tx("p", hintPair[0], hintPair[1], { className: "hint", id: control.id + "-hint" }));
      described.unshift(control.id + "-hint");
    }
    control.setAttribute("aria-describedby", described.join(" "));
    wrap.appendChild(control);
    wrap.appendChild(el("p", { className: "field-error", id: errorId, "aria-live": "polite" }));
    return wrap;
  }
  function select(name, options, value, emptyPair) {
    var s = el("select", { name: name });
    if (emptyPair) s.appendChild(tx("option", emptyPair[0], emptyPair[1], { value: "" }));
    options.forEach(function (o) {
      var opt = Array.isArray(o.label) ? tx("option", o.label[0], o.label[1], { value: o.value }) : el("option", { value: o.value, text: o.label });
      if (o.value === value) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }
  function fromMap(map) { return Object.keys(map).map(function (k) { return { value: k, label: map[k] }; }); }
  function textarea(name, rows) { return el("textarea", { name: name, rows: rows || 4, maxlength: 5000 }); }
  function toggle(key, labelId, labelEn, checked) {
    uid += 1;
    var input = el("input", { type: "checkbox", id: "t" + uid, name: key });
    input.checked = Boolean(checked);
    var wrap = el("div", { className: "field toggle", "data-field": key }, [input]);
    wrap.appendChild(tx("label", labelId, labelEn, { "for": input.id }));
    wrap.appendChild(el("p", { className: "field-error", "aria-live": "polite" }));
    return wrap;
  }
  /* An API error: each field's message next to its field, the message above, in the chosen language. */
  function showErrors(errors, result, focus) {
    var error = L.errorOf(result);
    errors.addServer(error.fields || {});
    errors.setSummary(function () { return I.serverMessage(error); });
    errors.render();
    if (focus) focus.focus();
  }
  function heading(level, id, english, attrs) { return tx("h" + level, id, english, Object.assign({ tabindex: "-1" }, attrs || {})); }
  function summaryBox() {
    var box = el("div", { className: "error-summary", role: "alert", tabindex: "-1", hidden: true });
    var text = el("p", { className: "error-summary-title" });
    var list = el("ul");
    box.appendChild(text);
    box.appendChild(list);
    return { box: box, text: text, list: list };
  }
  function timeLeftText(due) {
    if (!due) return tx("span", "—", "—");
    if (due.late_working_days > 0) {
      return tx("span", "terlambat " + due.late_working_days + " hari kerja", due.late_working_days + " working day" + (due.late_working_days > 1 ? "s" : "") + " late", { className: "tag tag-late" });
    }
    if (due.working_days_left === 0) return tx("span", "jatuh tempo hari ini", "due today", { className: "tag tag-today" });
    return tx("span", due.working_days_left + " hari kerja lagi", due.working_days_left + " working day" + (due.working_days_left > 1 ? "s" : "") + " left", { className: "tag" });
  }

  // ---- the queue ------------------------------------------------------------------------------
  var FILTERS = ["status", "overdue", "kind", "category_id", "province_code", "regency_code", "received_from", "received_to"];

  function hashQuery() {
    var at = location.hash.indexOf("?");
    return new URLSearchParams(at >= 0 ? location.hash.slice(at + 1) : "");
  }
  function renderQueue(view) {
    var q = hashQuery();
    var within = q.get("within");
    view.appendChild(heading(1, "Antrean saya", "My queue", { id: "queue-title" }));
    var counts = el("ul", { className: "counts", id: "queue-counts", "aria-live": "polite" });
    view.appendChild(counts);
    if (within) {
      view.appendChild(tx("p", "Hanya yang jatuh tempo dalam " + within + " hari kerja atau terlambat.",
                          "Only what is due within " + within + " working days or late.", { className: "hint", id: "within-note" }));
    }
    var form = el("form", { className: "card filters", id: "filters", novalidate: true });
    // On a phone the filters fold away unless one is in use; on a wide screen they stay open.
    var folded = el("details", { className: "filter-fold" });
    folded.open = window.matchMedia("(min-width: 64rem)").matches || FILTERS.some(function (k) { return q.get(k); });
    folded.appendChild(tx("summary", "Saring", "Filter", { className: "filter-summary" }));
    form.appendChild(folded);
    var grid = el("div", { className: "filter-grid" });
    // What the queue can hold, as the server says (console/config.json): it refuses other statuses.
    var open = fromMap(STATUS).filter(function (o) { return state.config.queue_statuses.indexOf(o.value) >= 0; });
    grid.appendChild(field("status", "Status", "Status", select("status", open, q.get("status"), ["Semua", "All"])));
    grid.appendChild(field("overdue", "Keterlambatan", "Lateness", select("overdue", [
      { value: "true", label: ["Hanya yang terlambat", "Overdue only"] }, { value: "false", label: ["Tidak terlambat", "Not overdue"] }],
      q.get("overdue"), ["Semua", "All"])));
    grid.appendChild(field("kind", "Klasifikasi", "Kind", select("kind", fromMap(KIND), q.get("kind"), ["Semua", "All"])));
    grid.appendChild(field("category_id", "Kategori", "Category", select("category_id", state.categories.map(function (c) {
      return { value: c.id, label: [c.name, c.name_en || c.name] };
    }), q.get("category_id"), ["Semua", "All"])));
    var province = select("province_code", provinces().map(function (p) { return { value: p.code, label: p.name }; }),
                          q.get("province_code"), ["Semua", "All"]);
    grid.appendChild(field("province_code", "Provinsi", "Province", province));
    var regency = select("regency_code", [], null, ["Semua", "All"]);
    function fillRegencies() {
      var code = province.value;
      regency.textContent = "";
      regency.appendChild(tx("option", "Semua", "All", { value: "" }));
      regenciesOf(code).forEach(function (r) {
        var opt = el("option", { value: r.code, text: r.name });
        if (r.code === q.get("regency_code")) opt.selected = true;
        regency.appendChild(opt);
      });
    }
    province.addEventListener("change", fillRegencies);
    fillRegencies();
    grid.appendChild(field("regency_code", "Kabupaten/kota", "Regency/city", regency));
    var from = el("input", { type: "date", name: "received_from", value: q.get("received_from") || "" });
    var to = el("input", { type: "date", name: "received_to", value: q.get("received_to") || "" });
    grid.appendChild(field("received_from", "Diterima sejak", "Received from", from));
    grid.appendChild(field("received_to", "Diterima sampai", "Received to", to));
    folded.appendChild(grid);
    var summary = summaryBox();
    form.appendChild(summary.box);
    var actions = el("div", { className: "inline-actions" });
    actions.appendChild(tx("button", "Terapkan", "Apply", { type: "submit", className: "button primary" }));
    actions.appendChild(tx("a", "Hapus saringan", "Clear filters", { href: "console#/queue", className: "button secondary" }));
    folded.appendChild(actions);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var next = new URLSearchParams();
      FILTERS.forEach(function (name) {
        var value = form.elements[name].value;
        if (value) next.set(name, value);
      });
      if (within) next.set("within", within);
      var query = next.toString();
      location.hash = "#/queue" + (query ? "?" + query : "");
    });
    view.appendChild(form);

    // Explicit roles: on a phone the rows become stacked cards (CSS display), which would otherwise
    // drop the table's semantics for screen readers.
    var table = el("table", { className: "queue", id: "queue-table", "aria-busy": "true", role: "table" });
    var caption = tx("caption", "Laporan, tenggat terdekat lebih dulu", "Reports, nearest deadline first", { id: "queue-caption" });
    table.appendChild(caption);
    var head = el("tr", { role: "row" });
    QUEUE_COLUMNS.forEach(function (h) { head.appendChild(tx("th", h[0], h[1], { scope: "col", role: "columnheader" })); });
    table.appendChild(el("thead", { role: "rowgroup" }, [head]));
    var body = el("tbody", { role: "rowgroup" });
    table.appendChild(body);
    view.appendChild(el("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "queue-caption" }, [table]));
    var empty = tx("p", "Tidak ada laporan yang cocok.", "No matching reports.", { className: "hint", hidden: true, id: "queue-empty" });
    view.appendChild(empty);
    var more = tx("button", "Muat lebih banyak", "Load more", { type: "button", className: "button secondary", hidden: true, id: "queue-more" });
    view.appendChild(more);

    // The server's order (nearest open deadline first, late first), its counts and its `within`:
    // pages append in order, so nothing is sorted or counted here.
    var cursor = null;
    var shown = 0;
    function load() {
      var params = new URLSearchParams();
      FILTERS.forEach(function (name) { if (q.get(name)) params.set(name, q.get(name)); });
      if (within) params.set("within", within);
      params.set("limit", String(PAGE_SIZE));
      if (cursor) params.set("cursor", cursor);
      more.disabled = true;
      staff("staff/queue?" + params.toString()).then(function (result) {
        more.disabled = false;
        if (!result.ok) {
          showErrors(new L.FieldErrors(form, summary), result);
          return;
        }
        result.data.items.forEach(function (item) { body.appendChild(queueRow(item)); });
        shown += result.data.items.length;
        if (result.data.counts) drawCounts(counts, result.data.counts);
        cursor = result.data.next_cursor;
        more.hidden = !cursor;
        empty.hidden = shown > 0;
        relabel();
        table.setAttribute("aria-busy", "false");
      }).catch(function () { /* expired */ });
    }
    more.addEventListener("click", load);
    load();
  }

  /* The server's counts of the whole queue (GET /staff/queue, first page), not of the rows loaded. */
  function drawCounts(counts, n) {
    counts.textContent = "";
    [[n.due_today, "jatuh tempo hari ini", "due today", "count-today"],
     [n.due_within_2_working_days, "dalam 2 hari kerja", "within 2 working days", "count-soon"],
     [n.late, "terlambat", "late", "count-late"]].forEach(function (c) {
      var li = el("li", { className: "count " + c[3], id: c[3] }, [el("strong", { text: String(c[0]) }), " "]);
      li.appendChild(tx("span", c[1], c[2]));
      counts.appendChild(li);
    });
  }

  var QUEUE_COLUMNS = [["Laporan", "Report"], ["Status", "Status"], ["Tenggat", "Deadline"],
                       ["Instansi / unit", "Agency / unit"], ["Kategori", "Category"], ["Kanal", "Channel"],
                       ["Pendukung", "Supporters"]];

  function queueRow(item) {
    var tr_ = el("tr", { className: item.next_due && item.next_due.late_working_days > 0 ? "late" : "", role: "row" });
    var link = el("a", { href: "console#/reports/" + item.tracking_id, className: "mono", text: item.tracking_id });
    tr_.appendChild(el("td", {}, [link, el("br"), el("span", { className: "row-title", text: item.title })]));
    tr_.appendChild(el("td", {}, [tmap("span", STATUS, item.status)].concat(item.spam_flagged ?
      [el("br"), tx("span", "Diduga spam", "Suspected spam", { className: "badge badge-overdue row-spam" })] : [])));
    var due = el("td");
    if (item.next_due) {
      due.appendChild(tmap("span", STAGE, item.next_due.stage));
      due.appendChild(el("br"));
      due.appendChild(el("span", { text: L.formatDate(item.next_due.due) + " " }));
      due.appendChild(timeLeftText(item.next_due));
    } else {
      due.appendChild(el("span", { text: "—" }));
    }
    tr_.appendChild(due);
    tr_.appendChild(el("td", { text: item.agency_id ? agencyName(item.agency_id) + (item.unit_id ? " / " + unitName(item.agency_id, item.unit_id) : "") : "—" }));
    tr_.appendChild(el("td", { text: categoryName(item.category_id) }));
    tr_.appendChild(el("td", {}, [tmap("span", CHANNEL, item.channel)]));
    tr_.appendChild(el("td", { className: "supporters", text: String(item.supporter_count || 0) }));
    // Each cell names its column for the phone's stacked cards (CSS shows it in the page's language).
    Array.prototype.forEach.call(tr_.children, function (td, i) {
      td.setAttribute("role", "cell");
      td.setAttribute("data-col-id", QUEUE_COLUMNS[i][0]);
      td.setAttribute("data-col-en", QUEUE_COLUMNS[i][1]);
    });
    return tr_;
  }

  // ---- the report page ----------------------------------------------------------------------
  function renderReport(view, tid, afterAction) {
    view.appendChild(tx("p", "Memuat laporan…", "Loading the report…", { className: "status", id: "report-loading" }));
    staff("staff/reports/" + tid).then(function (result) {
      view.textContent = "";
      if (!result.ok) {
        view.appendChild(heading(1, "Laporan " + tid, "Report " + tid));
        notifyServer(result);
        return;
      }
      drawReport(view, result.data);
      relabel();
      if (afterAction) afterAction();
      else view.querySelector("h1").focus();
    }).catch(function () { /* expired */ });
  }

  function facts(pairs) {
    var dl = el("dl", { className: "facts" });
    pairs.forEach(function (p) {
      if (p[2] === null || p[2] === undefined || p[2] === "") return;
      var dd = el("dd");
      if (typeof p[2] === "string") dd.textContent = p[2]; else dd.appendChild(p[2]);
      dl.appendChild(el("div", {}, [tx("dt", p[0], p[1]), dd]));
    });
    return dl;
  }

  function drawReport(view, r) {
    view.appendChild(el("p", { className: "eyebrow mono", text: r.tracking_id }));
    var h1 = el("h1", { className: "report-title", tabindex: "-1", id: "report-title", text: r.title });
    view.appendChild(h1);
    var line = el("p", { className: "status-line" });
    line.appendChild(el("span", { className: "badge badge-" + r.status, id: "r-status", text: en() ? r.status_label.en : r.status_label.id,
                                  "data-t-id": r.status_label.id, "data-t-en": r.status_label.en }));
    if (r.overdue) line.appendChild(tx("span", "Terlambat", "Overdue", { className: "badge badge-overdue" }));
    if (r.confidential) line.appendChild(tx("span", "Rahasia", "Confidential", { className: "badge badge-muted" }));
    if (r.anonymous) line.appendChild(tx("span", "Anonim", "Anonymous", { className: "badge badge-muted" }));
    if (r.ombudsman_referred) line.appendChild(tx("span", "Dirujuk ke Ombudsman", "Referred to Ombudsman", { className: "badge badge-overdue" }));
    if (r.spam_flagged) line.appendChild(tx("span", "Diduga spam", "Suspected spam", { className: "badge badge-overdue", id: "r-spam" }));
    view.appendChild(line);

    var layout = el("div", { className: "report-layout" });
    var main = el("div", { className: "report-main" });
    var side = el("div", { className: "report-side" });
    layout.appendChild(side); // on a phone what is due and what to do come first
    layout.appendChild(main);
    view.appendChild(layout);

    var record = el("section", { className: "card", "aria-labelledby": "record-title" });
    record.appendChild(tx("h2", "Isi laporan", "The report", { id: "record-title" }));
    record.appendChild(el("p", { className: "prewrap", id: "r-description", text: r.description }));
    var loc = r.location || {};
    record.appendChild(facts([
      ["Klasifikasi", "Kind", tmap("span", KIND, r.kind)],
      ["Kategori", "Category", categoryName(r.category && r.category.id)],
      ["Kanal", "Channel", tmap("span", CHANNEL, r.channel)],
      ["Diterima", "Received", L.formatDateTime(r.received_at)],
      ["Tanggal kejadian", "Date of the event", r.occurred_on ? L.formatDate(r.occurred_on) : null],
      ["Lokasi", "Location", [loc.address, loc.regency_name, loc.province_name].filter(Boolean).join(", ")],
      ["Instansi", "Agency", r.agency ? r.agency.name : null],
      ["Unit", "Unit", r.unit ? r.unit.name : null],
      ["Pemeriksaan lapangan", "Field inspection", r.field_inspection ? tx("span", "Ya", "Yes") : null],
      ["Alasan arsip", "Archive reason", r.archive_reason ? tmap("span", REASON, r.archive_reason) : null],
      ["Penilaian pelapor", "Reporter's rating", r.rating ? r.rating + " / 5" : null],
      ["Pendukung", "Supporters", String(r.supporter_count || 0)],
      ["Duplikat dari", "Duplicate of", r.duplicate_of ? reportLink(r.duplicate_of) : null],
      ["Laporan duplikat", "Duplicate reports", (r.duplicates || []).length ? el("span", {}, r.duplicates.map(function (id, i) {
        return el("span", {}, [i ? ", " : "", reportLink(id)]);
      })) : null]
    ]));
    main.appendChild(record);

    var who = el("section", { className: "card", "aria-labelledby": "reporter-title" });
    who.appendChild(tx("h2", "Pelapor", "Reporter", { id: "reporter-title" }));
    who.appendChild(facts([["Nama", "Name", r.reporter.name], ["E-mail", "E-mail", r.reporter.email],
                           ["Telepon", "Phone", r.reporter.phone],
                           ["Versi persetujuan privasi", "Privacy consent version", r.consent_version]]));
    main.appendChild(who);

    var attachments = el("section", { className: "card", "aria-labelledby": "att-title" });
    attachments.appendChild(tx("h2", "Lampiran", "Attachments", { id: "att-title" }));
    var list = el("ul", { className: "file-list", id: "r-attachments" });
    attachments.appendChild(list);
    main.appendChild(attachments);
    staff("staff/reports/" + r.tracking_id + "/attachments").then(function (result) {
      var files = (result.ok && result.data.attachments) || [];
      if (!files.length) list.appendChild(tx("li", "Tidak ada lampiran.", "No attachments."));
      files.forEach(function (a) { list.appendChild(el("li", {}, [L.fileLink(a)])); });
    }).catch(function () { /* expired */ });

    var history = el("section", { className: "card", "aria-labelledby": "history-title" });
    history.appendChild(tx("h2", "Riwayat", "History", { id: "history-title" }));
    var ol = el("ol", { className: "timeline", id: "r-history" });
    r.history.forEach(function (e) {
      var read = e.action === "identity_read";  // the audit's row: only the central admin's history has them
      var li = el("li", { className: read ? "officer identity-read" : e.role === "reporter" ? "" : "officer" });
      li.appendChild(el("p", { className: "timeline-when", text: L.formatDateTime(e.at) }));
      var what = el("p", { className: "timeline-what" });
      if (read) {
        what.appendChild(tx("span", "Identitas pelapor dilihat", "Reporter's identity viewed"));
        what.appendChild(document.createTextNode(" · " + e.actor + " · "));
        what.appendChild(el("span", { className: "mono", text: (e.data && e.data.route) || "" }));
      } else {
        what.appendChild(el("span", { className: "mono", text: e.action }));
        what.appendChild(document.createTextNode(" · " + e.actor + " · "));
        what.appendChild(tmap("span", STATUS, e.to_status));
      }
      if (e.visibility !== "public") what.appendChild(tx("span", " (internal)", " (internal)", { className: "hint" }));
      li.appendChild(what);
      if (e.message) li.appendChild(el("p", { className: "timeline-message prewrap", text: e.message }));
      ol.appendChild(li);
    });
    history.appendChild(ol);
    main.appendChild(history);

    side.appendChild(deadlinesCard(r));
    side.appendChild(actionsCard(r));
  }

  function deadlinesCard(r) {
    var card = el("section", { className: "card", "aria-labelledby": "dl-title" });
    card.appendChild(tx("h2", "Tenggat", "Deadlines", { id: "dl-title" }));
    var ul = el("ul", { className: "deadlines", id: "r-deadlines" });
    (r.stage_clocks || []).forEach(function (c) {
      var li = el("li", { className: "deadline" + (c.open ? " current" : "") });
      li.appendChild(tmap("span", STAGE, c.stage, { className: "deadline-stage" }));
      li.appendChild(el("span", { text: " " + L.formatDate(c.due) + " " }));
      if (c.open) li.appendChild(timeLeftText(c));
      else if (c.done_at) {
        li.appendChild(c.met_on_time ? tx("span", "selesai tepat waktu", "met on time", { className: "tag tag-ok" })
                                     : tx("span", "selesai terlambat", "met late", { className: "tag tag-late" }));
      }
      ul.appendChild(li);
    });
    card.appendChild(ul);
    return card;
  }

  function reportLink(tid) {
    return el("a", { href: "console#/reports/" + tid, className: "mono", text: tid });
  }

  // ---- actions: only what the server allows, each a small form --------------------------------
  var ACTIONS = {
    dispatch: ["Disposisi ke instansi", "Dispatch to an agency"],
    forward: ["Teruskan ke instansi lain", "Forward to another agency"],
    assign: ["Disposisi ke unit", "Assign to a unit"],
    respond: ["Kirim tanggapan", "Send a response"],
    final_answer: ["Jawaban akhir", "Final answer"],
    postpone: ["Tunda: minta klarifikasi pelapor", "Postpone: ask the reporter to clarify"],
    reroute: ["Bukan wewenang: kembalikan", "Not ours: send back"],
    set_field_inspection: ["Pemeriksaan lapangan", "Field inspection"],
    correct: ["Koreksi data laporan", "Correct the report"],
    archive: ["Arsipkan", "Archive"],
    mark_duplicate: ["Tandai duplikat dari laporan lain", "Mark as a duplicate of another report"],
    unmark_duplicate: ["Batalkan tanda duplikat", "Undo the duplicate mark"]
  };

  function actionsCard(r) {
    var card = el("section", { className: "card", "aria-labelledby": "act-title", id: "actions" });
    card.appendChild(tx("h2", "Tindakan", "Actions", { id: "act-title" }));
    if (!r.allowed_actions.length) {
      card.appendChild(tx("p", "Tidak ada tindakan untuk Anda pada status ini.", "Nothing for you to do in this status.", { className: "hint", id: "no-actions" }));
    }
    r.allowed_actions.forEach(function (name) { card.appendChild(actionForm(r, name)); });
    return card;
  }

  function messageField(required, labelPair) {
    var pair = labelPair || (required ? ["Pesan", "Message"] : ["Catatan (opsional)", "Note (optional)"]);
    return field("message", pair[0], pair[1], textarea("message"));
  }

  function actionForm(r, name) {
    var label = name === "dispatch" && r.status === "dispatched" ? ACTIONS.forward : ACTIONS[name];
    var details = el("details", { className: "action", id: "action-" + name });
    details.appendChild(tx("summary", label[0], label[1]));
    var form = el("form", { novalidate: true, "data-action": name });
    var build = {
      dispatch: function () {
        form.appendChild(field("agency_id", "Instansi tujuan", "Agency", select("agency_id", state.agencies.filter(function (a) {
          return a.id !== r.agency_id;
        }).map(function (a) { return { value: a.id, label: a.name }; }), null, ["Pilih instansi", "Choose an agency"])));
        form.appendChild(messageField(false));
      },
      assign: function () {
        var agency = state.agencies.filter(function (a) { return a.id === (r.agency && r.agency.id); })[0];
        form.appendChild(field("unit_id", "Unit kerja", "Unit", select("unit_id", (agency ? agency.units : []).filter(function (u) {
          return !r.unit || u.id !== r.unit.id;
        }).map(function (u) { return { value: u.id, label: u.name }; }), null, ["Pilih unit", "Choose a unit"])));
      },
      respond: function () { form.appendChild(messageField(true, ["Tanggapan untuk pelapor", "Response to the reporter"])); },
      final_answer: function () { form.appendChild(messageField(true, ["Jawaban akhir untuk pelapor", "Final answer to the reporter"])); },
      postpone: function () { form.appendChild(messageField(true, ["Apa yang perlu diklarifikasi", "What the reporter should clarify"])); },
      reroute: function () { form.appendChild(messageField(true, ["Alasan bukan wewenang", "Why it is not ours"])); },
      archive: function () {
        form.appendChild(field("reason", "Alasan", "Reason", select("reason", r.archive_reasons.map(function (k) {
          return { value: k, label: REASON[k] || [k, k] };
        }), null, ["Pilih alasan", "Choose a reason"])));
        form.appendChild(messageField(false));
      },
      set_field_inspection: function () {
        form.appendChild(toggle("required", "Perlu pemeriksaan lapangan (tenggat penyelesaian 60 hari kerja)",
                                "Needs a field inspection (60 working days to complete)", r.field_inspection));
      },
      mark_duplicate: function () {
        // Issue 14: the original's tracking number; both reports change in one transaction.
        form.appendChild(field("of", "Nomor laporan asal", "Original report's number",
                               el("input", { type: "text", name: "of", maxlength: 12, autocomplete: "off", className: "mono" })));
        form.appendChild(messageField(false));
      },
      unmark_duplicate: function () {
        form.appendChild(tx("p", "Laporan kembali ke status sebelumnya; pendukung yang digabung dikurangi dari laporan " + r.duplicate_of + ".",
                            "The report returns to its previous status; the supporters it brought leave report " + r.duplicate_of + ".",
                            { className: "hint" }));
      },
      correct: function () {
        var title = el("input", { type: "text", name: "title", maxlength: 150, value: r.title });
        form.appendChild(field("title", "Judul", "Title", title));
        form.appendChild(field("kind", "Klasifikasi", "Kind", select("kind", fromMap(KIND), r.kind)));
        form.appendChild(field("category_id", "Kategori", "Category", select("category_id", state.categories.map(function (c) {
          return { value: c.id, label: [c.name, c.name_en || c.name] };
        }), r.category && r.category.id, ["Tanpa kategori", "No category"])));
        form.appendChild(toggle("anonymous", "Anonim", "Anonymous", r.anonymous));
        form.appendChild(toggle("confidential", "Rahasia", "Confidential", r.confidential));
      }
    };
    build[name]();
    var summary = summaryBox();
    form.appendChild(summary.box);
    var submit = tx("button", label[0], label[1], { type: "submit", className: "button primary" });
    form.appendChild(el("div", { className: "submit-row" }, [submit]));
    var errors = new L.FieldErrors(form, summary);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errors.clear();
      clearNotice();
      var body = actionBody(r, name, form);
      if (!body) {
        notify("warning", "Tidak ada yang diubah.", "Nothing was changed.", true);
        return;
      }
      submit.disabled = true;
      staff("staff/reports/" + r.tracking_id + "/actions", { method: "POST", body: body }).then(function (result) {
        submit.disabled = false;
        if (result.ok) {
          var view = document.getElementById("view");
          view.textContent = "";
          drawReport(view, result.data);
          relabel();
          notify("success", "Tersimpan: " + label[0] + ".", "Saved: " + label[1] + ".", true);
          return;
        }
        if (result.status === 409) {
          var error = L.errorOf(result);
          var view2 = document.getElementById("view");
          view2.textContent = "";
          renderReport(view2, r.tracking_id, function () {
            notify("warning", "Laporan sudah berubah (" + (error.message_id || I.pick(error.message)) + "). Data terbaru dimuat ulang; periksa lalu coba lagi.",
                   "The report has changed (" + (error.message_en || I.pick(error.message)) + "). It was reloaded; check it and try again.", true);
          });
          return;
        }
        showErrors(errors, result, summary.box);
      }).catch(function () { submit.disabled = false; });
    });
    details.appendChild(form);
    return details;
  }

  /* The request body: the form's values; a correction sends only what changed. */
  function actionBody(r, name, form) {
    var body = { action: name };
    var f = form.elements;
    if (name === "correct") {
      var current = { title: r.title, kind: r.kind, category_id: r.category ? r.category.id : "",
                      anonymous: r.anonymous, confidential: r.confidential };
      var next = { title: f.title.value.trim(), kind: f.kind.value, category_id: f.category_id.value,
                   anonymous: f.anonymous.checked, confidential: f.confidential.checked };
      Object.keys(next).forEach(function (k) { if (next[k] !== current[k] && next[k] !== "") body[k] = next[k]; });
      return Object.keys(body).length > 1 ? body : null;
    }
    if (name === "set_field_inspection") { body.required = f.required.checked; return body; }
    ["agency_id", "unit_id", "reason", "message", "of"].forEach(function (k) {
      if (f[k] && f[k].value.trim()) body[k] = f[k].value.trim();
    });
    if (["respond", "final_answer", "postpone", "reroute"].indexOf(name) >= 0 && !body.message) body.message = "";
    if (name === "dispatch" && !body.agency_id) body.agency_id = "";
    if (name === "mark_duplicate" && !body.of) body.of = "";
    if (name === "assign" && !body.unit_id) body.unit_id = "";
    if (name === "archive" && !body.reason) body.reason = "";
    return body;
  }

  // ---- manual entry -------------------------------------------------------------------------
  function renderNew(view) {
    view.appendChild(heading(1, "Catat laporan yang diterima di luar situs", "Record a report received elsewhere", { id: "new-title" }));
    var form = el("form", { className: "card", id: "new-form", novalidate: true });
    var summary = summaryBox();
    form.appendChild(summary.box);
    form.appendChild(field("channel", "Kanal", "Channel", select("channel", fromMap(CHANNEL), "walk_in")));
    form.appendChild(field("received_at", "Diterima pada (WIB)", "Received at (WIB)", el("input", { type: "datetime-local", name: "received_at" })));
    form.appendChild(field("kind", "Klasifikasi", "Kind", select("kind", fromMap(KIND), "complaint")));
    form.appendChild(field("title", "Judul", "Title", el("input", { type: "text", name: "title", maxlength: 150 }), ["5–150 karakter.", "5–150 characters."]));
    form.appendChild(field("description", "Uraian", "Description", textarea("description", 6), ["10–5.000 karakter.", "10–5,000 characters."]));
    var province = select("province_code", provinces().map(function (p) { return { value: p.code, label: p.name }; }), null, ["Pilih provinsi", "Choose a province"]);
    form.appendChild(field("location.province_code", "Provinsi", "Province", province));
    var regency = select("regency_code", [], null, ["Pilih kabupaten/kota", "Choose a regency/city"]);
    province.addEventListener("change", function () {
      regency.textContent = "";
      regency.appendChild(tx("option", "Pilih kabupaten/kota", "Choose a regency/city", { value: "" }));
      regenciesOf(province.value).forEach(function (x) {
        regency.appendChild(el("option", { value: x.code, text: x.name }));
      });
    });
    form.appendChild(field("location.regency_code", "Kabupaten/kota", "Regency/city", regency));
    form.appendChild(field("location.address", "Alamat", "Address", el("input", { type: "text", name: "address", maxlength: 500 })));
    if (state.me.role === "central_admin") {
      form.appendChild(field("agency_id", "Instansi tujuan (opsional)", "Agency (optional)", select("agency_id", state.agencies.map(function (a) {
        return { value: a.id, label: a.name };
      }), null, ["Belum ditentukan", "Not decided yet"])));
    }
    form.appendChild(field("category_id", "Kategori", "Category", select("category_id", state.categories.map(function (c) {
      return { value: c.id, label: [c.name, c.name_en || c.name] };
    }), null, ["Pilih kategori", "Choose a category"])));
    form.appendChild(field("reporter.name", "Nama pelapor", "Reporter's name", el("input", { type: "text", name: "name", maxlength: 120 })));
    form.appendChild(field("reporter.email", "E-mail pelapor", "Reporter's e-mail", el("input", { type: "email", name: "email", maxlength: 254 })));
    form.appendChild(field("reporter.phone", "Telepon pelapor", "Reporter's phone", el("input", { type: "tel", name: "phone", maxlength: 32 })));
    form.appendChild(el("p", { className: "field-error", "data-field": "reporter" }));
    form.appendChild(toggle("anonymous", "Anonim", "Anonymous", false));
    form.appendChild(toggle("confidential", "Rahasia", "Confidential", false));
    var submit = tx("button", "Simpan laporan", "Save the report", { type: "submit", className: "button primary" });
    form.appendChild(el("div", { className: "submit-row" }, [submit]));
    var errors = new L.FieldErrors(form, summary);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errors.clear();
      var f = form.elements;
      var body = {
        kind: f.kind.value, title: f.title.value.trim(), description: f.description.value.trim(), channel: f.channel.value,
        received_at: f.received_at.value ? f.received_at.value + (f.received_at.value.length === 16 ? ":00" : "") + "+07:00" : "",
        location: { province_code: f.province_code.value }, anonymous: f.anonymous.checked, confidential: f.confidential.checked,
        reporter: { name: f.name.value.trim() }
      };
      if (f.regency_code.value) body.location.regency_code = f.regency_code.value;
      if (f.address.value.trim()) body.location.address = f.address.value.trim();
      if (f.category_id.value) body.category_id = f.category_id.value;
      if (f.agency_id && f.agency_id.value) body.agency_id = f.agency_id.value;
      if (f.email.value.trim()) body.reporter.email = f.email.value.trim();
      if (f.phone.value.trim()) body.reporter.phone = f.phone.value.trim();
      submit.disabled = true;
      staff("staff/reports", { method: "POST", body: body }).then(function (result) {
        submit.disabled = false;
        if (result.ok) {
          location.hash = "#/reports/" + result.data.tracking_id;
          return;
        }
        showErrors(errors, result, summary.box);
      }).catch(function () { submit.disabled = false; });
    });
    view.appendChild(form);
  }

  // ---- statistics: inline SVG drawn here from the API's figures ---------------------------------
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  /* Horizontal bars: rows [{label, value, text}], max for the scale. */
  function barChart(titleId, titleEn, rows, max, cls) {
    var figure = el("figure", { className: "chart" });
    figure.appendChild(tx("figcaption", titleId, titleEn));
    var rowH = 28, labelW = 0, width = 640;
    var s = svg("svg", { viewBox: "0 0 " + width + " " + (rows.length * rowH + 8), role: "img", width: "100%",
                         "aria-label": (en() ? titleEn : titleId) + ": " + rows.map(function (r) { return r.label + " " + r.text; }).join("; ") });
    rows.forEach(function (r, i) {
      var y = i * rowH + 4;
      var w = max > 0 ? Math.max(1, Math.round((r.value / max) * (width - 350))) : 1;
      var label = svg("text", { x: 0, y: y + 18, "class": "chart-label" });
      label.textContent = r.label.length > 30 ? r.label.slice(0, 29) + "…" : r.label;
      s.appendChild(label);
      s.appendChild(svg("rect", { x: 190, y: y + 4, width: w, height: rowH - 10, rx: 3, "class": "bar " + (r.cls || cls || "") }));
      var value = svg("text", { x: 196 + w, y: y + 18, "class": "chart-value" });
      value.textContent = r.text;
      s.appendChild(value);
      labelW = Math.max(labelW, r.label.length);
    });
    figure.appendChild(s);
    return figure;
  }
  /* Received and completed side by side per month, as columns. */
  function monthChart(months) {
    var figure = el("figure", { className: "chart" });
    figure.appendChild(tx("figcaption", "Diterima dan selesai per bulan", "Received and completed per month"));
    var width = 640, height = 240, base = 200, slot = Math.max(1, (width - 40) / Math.max(1, months.length));
    var max = Math.max.apply(null, [1].concat(months.map(function (m) { return Math.max(m.received || 0, m.completed || 0); })));
    var s = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", width: "100%",
                         "aria-label": tr("Diterima dan selesai per bulan", "Received and completed per month") + ": " + months.map(function (m) {
                           return m.key + " " + (m.received || 0) + "/" + (m.completed || 0);
                         }).join("; ") });
    s.appendChild(svg("line", { x1: 30, y1: base, x2: width, y2: base, "class": "axis" }));
    months.forEach(function (m, i) {
      var x = 34 + i * slot, w = Math.max(2, slot / 2 - 3);
      [[m.received || 0, "bar"], [m.completed || 0, "bar bar-ok"]].forEach(function (pair, j) {
        var h = Math.round((pair[0] / max) * (base - 20));
        s.appendChild(svg("rect", { x: x + j * (w + 2), y: base - h, width: w, height: Math.max(h, 1), "class": pair[1] }));
      });
      var label = svg("text", { x: x, y: base + 16, "class": "chart-label" });
      label.textContent = String(m.key).slice(5);
      s.appendChild(label);
    });
    var top = svg("text", { x: 0, y: 14, "class": "chart-value" });
    top.textContent = String(max);
    s.appendChild(top);
    figure.appendChild(s);
    var legend = el("p", { className: "legend" });
    legend.appendChild(el("span", { className: "key key-received", "aria-hidden": "true" }));
    legend.appendChild(tx("span", "diterima", "received"));
    legend.appendChild(el("span", { className: "key key-completed", "aria-hidden": "true" }));
    legend.appendChild(tx("span", "selesai", "completed"));
    figure.appendChild(legend);
    return figure;
  }

  function pct(x) { return x === null || x === undefined ? "—" : x.toLocaleString(I.locale()) + "%"; }

  function renderStats(view) {
    var q = hashQuery();
    view.appendChild(heading(1, "Statistik", "Statistics", { id: "stats-title" }));
    var form = el("form", { className: "card filters", id: "stats-filters", novalidate: true });
    var grid = el("div", { className: "filter-grid" });
    grid.appendChild(field("from", "Dari bulan", "From month", el("input", { type: "month", name: "from", value: q.get("from") || "" })));
    grid.appendChild(field("to", "Sampai bulan", "To month", el("input", { type: "month", name: "to", value: q.get("to") || "" })));
    if (state.me.role === "central_admin") {
      grid.appendChild(field("province_code", "Provinsi", "Province", select("province_code", provinces().map(function (p) {
        return { value: p.code, label: p.name };
      }), q.get("province_code"), ["Semua", "All"])));
    }
    if (state.me.role !== "agency_admin" && state.me.role !== "liaison_officer") {
      grid.appendChild(field("agency_id", "Instansi", "Agency", select("agency_id", state.agencies.map(function (a) {
        return { value: a.id, label: a.name };
      }), q.get("agency_id"), ["Semua", "All"])));
    }
    grid.appendChild(field("group_by", "Kelompokkan menurut", "Group by", select("group_by", fromMap(GROUPS), q.get("group_by") || "agency")));
    form.appendChild(grid);
    var summary = summaryBox();
    form.appendChild(summary.box);
    var buttons = el("div", { className: "inline-actions" });
    buttons.appendChild(tx("button", "Tampilkan", "Show", { type: "submit", className: "button primary" }));
    var csv = tx("button", "Unduh CSV", "Download CSV", { type: "button", className: "button secondary", id: "export-csv" });
    var xlsx = tx("button", "Unduh XLSX", "Download XLSX", { type: "button", className: "button secondary", id: "export-xlsx" });
    var list = tx("button", "Unduh daftar laporan (XLSX)", "Download the report list (XLSX)", { type: "button", className: "button secondary", id: "export-list" });
    buttons.appendChild(csv);
    buttons.appendChild(xlsx);
    buttons.appendChild(list);
    form.appendChild(buttons);
    view.appendChild(form);
    var charts = el("div", { className: "charts", id: "charts", "aria-live": "polite" });
    view.appendChild(charts);
    var errors = new L.FieldErrors(form, summary);

    function params(extra) {
      var p = new URLSearchParams();
      ["from", "to", "province_code", "agency_id"].forEach(function (k) {
        if (form.elements[k] && form.elements[k].value) p.set(k, form.elements[k].value);
      });
      Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
      return p.toString();
    }
    function get(groupBy) { return staff("staff/statistics?" + params(groupBy ? { group_by: groupBy } : {})); }
    function load() {
      errors.clear();
      charts.textContent = "";
      var groupBy = form.elements.group_by.value;
      Promise.all([get(groupBy), get("month")]).then(function (r) {
        var bad = r.filter(function (x) { return !x.ok; })[0];
        if (bad) {
          showErrors(errors, bad);
          return;
        }
        drawStats(charts, r[0].data, r[1].data, GROUPS[groupBy]);
        relabel();
      }).catch(function () { /* expired */ });
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
    function download(path, format, name) {
      if (!live()) { expire(); return; }
      var headers = { Authorization: "Bearer " + state.session.idToken,
                      Accept: format === "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv" };
      fetch(path, { headers: headers }).then(function (response) {
        if (response.status === 401) { expire(); return null; }
        if (!response.ok) { notify("error", "Unduhan gagal.", "The download failed.", true); return null; }
        return response.blob();
      }).then(function (blob) {
        if (!blob) return;
        var a = el("a", { href: URL.createObjectURL(blob), download: name });
        document.body.appendChild(a);
        a.click();
        a.remove();
      });
    }
    csv.addEventListener("click", function () { download("staff/statistics/export?" + params({ format: "csv", group_by: form.elements.group_by.value }), "csv", "statistik.csv"); });
    xlsx.addEventListener("click", function () { download("staff/statistics/export?" + params({ format: "xlsx", group_by: form.elements.group_by.value }), "xlsx", "statistik.xlsx"); });
    list.addEventListener("click", function () { download("staff/reports/export?format=xlsx", "xlsx", "laporan.xlsx"); });
    load();
  }

  function drawStats(root, byAgency, byMonth, group) {
    var t = byAgency.totals || {};
    var totals = el("ul", { className: "counts", id: "stats-totals" });
    [[t.received, "diterima", "received"], [t.completed, "selesai", "completed"], [pct(t.completion_rate), "tingkat penyelesaian", "completion rate"],
     [t.overdue, "terlambat", "overdue"]].forEach(function (c) {
      var li = el("li", { className: "count" }, [el("strong", { text: String(c[0] === undefined ? 0 : c[0]) }), " "]);
      li.appendChild(tx("span", c[1], c[2]));
      totals.appendChild(li);
    });
    root.appendChild(totals);
    var groups = byAgency.groups || [];
    var ranked = Boolean(byAgency.ranking);
    root.appendChild(barChart("Tingkat penyelesaian per " + group[0].toLowerCase() + (ranked ? " (peringkat hanya dengan cukup laporan)" : ""),
      "Completion rate per " + group[1].toLowerCase() + (ranked ? " (ranked only with enough reports)" : ""), groups.map(function (g) {
        return { label: (g.rank ? "#" + g.rank + " " : "") + I.pick(g.label || g.key), value: g.completion_rate || 0,
                 text: pct(g.completion_rate) + (g.ranking_note ? " · " + I.pick(g.ranking_note) : ""),
                 cls: byAgency.ranking && !g.rank ? "bar-muted" : "" };
      }), 100));
    root.appendChild(monthChart(byMonth.groups || []));
    var sla = t.sla_compliance || {};
    root.appendChild(barChart("Kepatuhan tenggat per tahap", "SLA compliance per stage", Object.keys(sla).map(function (stage) {
      var s = sla[stage] || {};
      var pair = STAGE[stage] || (stage === "all_stages" ? ["Semua tahap", "All stages"] : [stage, stage]);
      return { label: en() ? pair[1] : pair[0], value: s.rate || 0, text: pct(s.rate) + " (" + (s.on_time || 0) + "/" + (s.finished || 0) + ")" };
    }), 100, "bar-ok"));
    var times = [["first_response", "Tanggapan pertama", "First response"], ["completion_time", "Penyelesaian", "Completion"]];
    var timeRows = times.map(function (x) {
      var v = t[x[0]] || {};
      var mean = v.mean_working_days;
      return { label: en() ? x[2] : x[1], value: mean || 0,
               text: (mean === null || mean === undefined ? "— " : mean + " ") + tr("hari kerja (rata-rata)", "working days (mean)") };
    });
    root.appendChild(barChart("Waktu tanggapan dan penyelesaian", "Time to respond and to complete",
      timeRows, Math.max.apply(null, [1].concat(timeRows.map(function (r) { return r.value; })))));
  }

  // ---- settings (agency and central admins) --------------------------------------------------
  /* A small form that sends itself with `send(form.elements)` and shows the API's field errors
   * next to the fields; `done(data)` after a success. */
  function smallForm(id, titlePair, controls, submitPair, send, done) {
    var form = el("form", { id: id, className: "small-form", novalidate: true });
    form.appendChild(tx("h3", titlePair[0], titlePair[1]));
    controls.forEach(function (c) { form.appendChild(c); });
    var summary = summaryBox();
    form.appendChild(summary.box);
    var submit = tx("button", submitPair[0], submitPair[1], { type: "submit", className: "button secondary" });
    form.appendChild(el("div", { className: "inline-actions" }, [submit]));
    var errors = new L.FieldErrors(form, summary);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errors.clear();
      clearNotice();
      submit.disabled = true;
      send(form.elements).then(function (result) {
        submit.disabled = false;
        if (result.ok) { done(result.data, form); return; }
        showErrors(errors, result, summary.box);
      }).catch(function () { submit.disabled = false; });
    });
    return form;
  }
  function value(input) { return input && input.value.trim() ? input.value.trim() : undefined; }
  function input(name, type, attrs) { return el("input", Object.assign({ type: type || "text", name: name }, attrs || {})); }
  function saved() { notify("success", "Tersimpan.", "Saved.", true); }

  function renderAdmin(view) {
    view.appendChild(heading(1, "Pengaturan", "Settings", { id: "admin-title" }));
    var role = state.me.role;
    var agencies = state.agencies.filter(function (a) { return role === "central_admin" || a.id === state.me.agency_id; });
    view.appendChild(dutySection(agencies));
    view.appendChild(contactSection(agencies));
    view.appendChild(slaSection(agencies));
    if (role === "central_admin") {
      view.appendChild(calendarSection());
      view.appendChild(keysSection());
    }
  }

  function section(id, titlePair) {
    var node = el("section", { className: "card", id: id, "aria-labelledby": id + "-title" });
    node.appendChild(tx("h2", titlePair[0], titlePair[1], { id: id + "-title" }));
    return node;
  }

  function dutySection(agencies) {
    var duty = section("duty", ["Penugasan pejabat penghubung (SK)", "Liaison officers' periods (decrees)"]);
    var unitSelect = select("unit", [].concat.apply([], agencies.map(function (a) {
      return a.units.map(function (u) { return { value: u.id, label: a.name + " — " + u.name }; });
    })), null, ["Pilih unit", "Choose a unit"]);
    duty.appendChild(field("unit_id", "Unit", "Unit", unitSelect));
    var list = el("ul", { className: "plain-list", id: "duty-list", "aria-live": "polite" });
    duty.appendChild(list);
    var forms = el("div", { hidden: true });
    duty.appendChild(forms);
    // The periods listed are the ones a form may replace or end: picked, never typed.
    var replaces = select("replaces", [], null, ["Tidak ada", "None"]);
    var ending = select("assignment_id", [], null);
    function periodLabel(a) {
      return a.username + " · " + L.formatDate(a.start) + " – " + (a.end ? L.formatDate(a.end) : "…") + (a.decree ? " · " + a.decree : "");
    }
    function offer(assignments) {
      replaces.length = 1;
      ending.length = 0;
      assignments.forEach(function (a) {
        replaces.appendChild(el("option", { value: a.id, text: periodLabel(a) }));
        ending.appendChild(el("option", { value: a.id, text: periodLabel(a) }));
      });
    }
    function load() {
      list.textContent = "";
      forms.hidden = !unitSelect.value;
      if (!unitSelect.value) return;
      staff("staff/units/" + unitSelect.value + "/assignments").then(function (result) {
        if (!result.ok) { notifyServer(result); return; }
        if (!result.data.assignments.length) list.appendChild(tx("li", "Belum ada penugasan.", "No periods yet."));
        offer(result.data.assignments);
        result.data.assignments.forEach(function (a) {
          var li = el("li", { text: periodLabel(a) + " " });
          if (a.on_duty) li.appendChild(tx("span", "bertugas hari ini", "on duty today", { className: "tag tag-ok" }));
          list.appendChild(li);
        });
        relabel();
      }).catch(function () { /* expired */ });
    }
    unitSelect.addEventListener("change", load);
    function post(path, body) { return staff("staff/units/" + unitSelect.value + path, { method: "POST", body: body }); }
    forms.appendChild(smallForm("assignment-new", ["Penugasan baru", "New period"], [
      field("username", "Nama pengguna petugas", "Officer's username", input("username")),
      field("start", "Mulai", "Start", input("start", "date")),
      field("end", "Selesai (opsional)", "End (optional)", input("end", "date")),
      field("decree", "Nomor SK (opsional)", "Decree number (optional)", input("decree")),
      field("replaces", "Menggantikan penugasan (opsional)", "Replaces a period (optional)", replaces)
    ], ["Simpan penugasan", "Save the period"], function (f) {
      return post("/assignments", { username: value(f.username) || "", start: value(f.start) || "", end: value(f.end),
                                   decree: value(f.decree), replaces: value(f.replaces) });
    }, function () { saved(); load(); }));
    forms.appendChild(smallForm("assignment-end", ["Akhiri penugasan", "End a period"], [
      field("assignment_id", "Penugasan", "Period", ending),
      field("end", "Hari terakhir", "Last day", input("end", "date"))
    ], ["Akhiri", "End it"], function (f) {
      return post("/assignments/" + encodeURIComponent(value(f.assignment_id) || "-") + "/end", { end: value(f.end) || "" });
    }, function () { saved(); load(); }));
    return duty;
  }

  function contactSection(agencies) {
    var node = section("contacts", ["Data kontak petugas", "Staff contact rows"]);
    node.appendChild(tx("p", "Alamat yang dipakai platform untuk pengingat (e-mail dan SMS).",
                        "Where the platform sends reminders (e-mail and SMS).", { className: "hint" }));
    var central = state.me.role === "central_admin";
    var roles = Object.keys(ROLE).filter(function (r) { return central || r === "agency_admin" || r === "liaison_officer"; });
    var rows = el("ul", { className: "plain-list", id: "contact-list", "aria-live": "polite" });
    node.appendChild(rows);
    var more = tx("button", "Muat lebih banyak", "Load more", { type: "button", className: "button secondary", hidden: true, id: "contact-more" });
    node.appendChild(more);
    var cursor = null;
    function edit(row) {
      ["username", "name", "email", "phone", "agency_id", "unit_id", "province_code", "role"].forEach(function (k) {
        if (form.elements[k]) form.elements[k].value = row[k] || "";
      });
      form.elements.name.focus();
    }
    function load(first) {
      if (first) { rows.textContent = ""; cursor = null; }
      staff("staff/officers?limit=50" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "")).then(function (result) {
        if (!result.ok) { notifyServer(result); return; }
        result.data.items.forEach(function (row) {
          var scope = row.unit_id ? unitName(row.agency_id, row.unit_id) : row.agency_id ? agencyName(row.agency_id) : row.province_code || "";
          var li = el("li", {}, [row.name + " (" + row.username + ") · ", tmap("span", ROLE, row.role),
                                 (scope ? " · " + scope : "") + " · " + [row.email, row.phone].filter(Boolean).join(", ") + " "]);
          var button = tx("button", "Ubah", "Edit", { type: "button", className: "button link", "aria-label": "Ubah " + row.username });
          button.addEventListener("click", function () { edit(row); });
          li.appendChild(button);
          rows.appendChild(li);
        });
        cursor = result.data.next_cursor;
        more.hidden = !cursor;
        relabel();
      }).catch(function () { /* expired */ });
    }
    more.addEventListener("click", function () { load(false); });
    var form = smallForm("contact-form", ["Ubah atau tambah", "Change or add"], [
      field("username", "Nama pengguna", "Username", input("username")),
      field("name", "Nama", "Name", input("name")),
      field("role", "Peran", "Role", select("role", roles.map(function (r) { return { value: r, label: ROLE[r] }; }), "liaison_officer")),
      field("email", "E-mail", "E-mail", input("email", "email")),
      field("phone", "Telepon", "Phone", input("phone", "tel")),
      field("agency_id", "Instansi", "Agency", select("agency_id", agencies.map(function (a) { return { value: a.id, label: a.name }; }),
                                                     state.me.agency_id, state.me.role === "central_admin" ? ["Tidak ada", "None"] : null)),
      field("unit_id", "Unit (pejabat penghubung)", "Unit (liaison officers)", select("unit_id", [].concat.apply([], agencies.map(function (a) {
        return a.units.map(function (u) { return { value: u.id, label: u.name }; });
      })), null, ["Tidak ada", "None"])),
      central ? field("province_code", "Provinsi (admin provinsi)", "Province (provincial admins)",
                      select("province_code", provinces().map(function (p) { return { value: p.code, label: p.name }; }), null, ["Tidak ada", "None"])) : null
    ].filter(Boolean), ["Simpan kontak", "Save the contact"], function (f) {
      return staff("staff/officers/" + encodeURIComponent(value(f.username) || "-"), { method: "PUT", body: {
        name: value(f.name) || "", role: f.role.value, email: value(f.email), phone: value(f.phone),
        agency_id: value(f.agency_id), unit_id: value(f.unit_id), province_code: f.province_code ? value(f.province_code) : undefined } });
    }, function () { saved(); load(true); });
    node.appendChild(form);
    load(true);
    return node;
  }

  function slaSection(agencies) {
    var node = section("sla", ["Batas waktu (hari kerja)", "Stage limits (working days)"]);
    var list = el("dl", { className: "facts", id: "sla-list" });
    node.appendChild(list);
    var overridesBox = el("ul", { className: "plain-list", id: "sla-overrides" });
    node.appendChild(overridesBox);
    var current = {};
    function load() {
      staff("staff/sla").then(function (result) {
        if (!result.ok) return;
        list.textContent = "";
        overridesBox.textContent = "";
        var defaults = result.data.defaults || {};
        Object.keys(defaults).forEach(function (k) {
          list.appendChild(el("div", {}, [el("dt", { className: "mono", text: k }), el("dd", { text: String(defaults[k]) })]));
        });
        current = result.data.agency || {};
        Object.keys(current).filter(function (id) { return state.me.role === "central_admin" || id === state.me.agency_id; }).forEach(function (id) {
          var limits = current[id];
          overridesBox.appendChild(el("li", { text: agencyName(id) + ": " + Object.keys(limits).map(function (k) { return k + " " + limits[k]; }).join(", ") }));
        });
        categoryOverrides = result.data.category || {};
        Object.keys(categoryOverrides).forEach(function (id) {
          var limits = categoryOverrides[id];
          overridesBox.appendChild(el("li", { text: categoryName(id) + ": " + Object.keys(limits).map(function (k) { return k + " " + limits[k]; }).join(", ") }));
        });
        [stage, categoryStage].forEach(function (s) {
          if (!s.options.length) Object.keys(defaults).forEach(function (k) { s.appendChild(el("option", { value: k, text: k })); });
        });
      }).catch(function () { /* expired */ });
    }
    var stage = select("stage", [], null);
    var categoryStage = select("stage", [], null);
    var categoryOverrides = {};
    node.appendChild(smallForm("sla-form", ["Batas waktu instansi", "An agency's limit"], [
      field("agency_id", "Instansi", "Agency", select("agency_id", agencies.map(function (a) { return { value: a.id, label: a.name }; }), state.me.agency_id)),
      field("limits", "Tahap", "Stage", stage),
      field("days", "Hari kerja", "Working days", input("days", "number", { min: 1, max: 365 }))
    ], ["Simpan batas waktu", "Save the limit"], function (f) {
      var limits = Object.assign({}, current[f.agency_id.value] || {});
      limits[stage.value] = Number(f.days.value);
      return staff("staff/sla/agency/" + encodeURIComponent(f.agency_id.value), { method: "PUT", body: { limits: limits } });
    }, function () { saved(); load(); }));
    if (state.me.role === "central_admin") {  // category overrides beat agency ones; they are the central admin's
      node.appendChild(smallForm("sla-category-form", ["Batas waktu kategori", "A category's limit"], [
        field("category_id", "Kategori", "Category", select("category_id", state.categories.map(function (c) {
          return { value: c.id, label: [c.name, c.name_en || c.name] };
        }), null)),
        field("limits", "Tahap", "Stage", categoryStage),
        field("days", "Hari kerja", "Working days", input("days", "number", { min: 1, max: 365 }))
      ], ["Simpan batas waktu kategori", "Save the category's limit"], function (f) {
        var limits = Object.assign({}, categoryOverrides[f.category_id.value] || {});
        limits[categoryStage.value] = Number(f.days.value);
        return staff("staff/sla/category/" + encodeURIComponent(f.category_id.value), { method: "PUT", body: { limits: limits } });
      }, function () { saved(); load(); }));
    }
    load();
    return node;
  }

  function calendarSection() {
    var cal = section("calendar", ["Kalender hari kerja", "Working-day calendar"]);
    var version = el("p", { className: "hint mono" });
    cal.appendChild(version);
    var list = el("ul", { className: "plain-list", id: "calendar-list" });
    cal.appendChild(list);
    function load() {
      staff("staff/calendar?year=" + new Date().getFullYear()).then(function (result) {
        if (!result.ok) return;
        list.textContent = "";
        version.textContent = result.data.calendar_version || "";
        var notes = {};
        (result.data.overrides || []).forEach(function (o) { notes[o.date] = o; });
        (result.data.non_working_days || []).forEach(function (day) {
          list.appendChild(el("li", { text: L.formatDate(day) + (notes[day] ? " · " + (notes[day].note || "") + " (override)" : "") }));
        });
      }).catch(function () { /* expired */ });
    }
    cal.appendChild(smallForm("calendar-form", ["Tambah atau ubah hari", "Add or change a day"], [
      field("date", "Tanggal", "Date", input("date", "date")),
      toggle("working", "Hari kerja (mis. pengganti cuti bersama)", "A working day (e.g. a moved holiday)", false),
      field("note", "Keterangan", "Note", input("note", "text", { maxlength: 200 }))
    ], ["Simpan hari", "Save the day"], function (f) {
      return staff("staff/calendar/" + (value(f.date) || "-"), { method: "PUT", body: { working: f.working.checked, note: value(f.note) } });
    }, function () { saved(); load(); }));
    cal.appendChild(smallForm("calendar-remove", ["Hapus perubahan hari", "Remove a day's change"], [
      field("date", "Tanggal", "Date", input("date", "date"))
    ], ["Hapus", "Remove"], function (f) {
      return staff("staff/calendar/" + (value(f.date) || "-"), { method: "DELETE" });
    }, function () { saved(); load(); }));
    load();
    return cal;
  }

  function keysSection() {
    var node = section("keys", ["Kunci API Open311", "Open311 API keys"]);
    var list = el("ul", { className: "plain-list", id: "keys-list" });
    node.appendChild(list);
    var shown = el("p", { className: "notice notice-warning", id: "key-once", hidden: true, role: "status" });
    node.appendChild(shown);
    function load() {
      staff("staff/open311/keys").then(function (result) {
        if (!result.ok) return;
        list.textContent = "";
        result.data.keys.forEach(function (k) {
          var li = el("li", { text: k.client_name + " · " + k.key_id + " " });
          if (k.active) {
            var revoke = tx("button", "Cabut", "Revoke", { type: "button", className: "button link" });
            revoke.setAttribute("aria-label", tr("Cabut kunci ", "Revoke key ") + k.client_name);
            revoke.addEventListener("click", function () {
              staff("staff/open311/keys/" + k.key_id, { method: "DELETE" }).then(function (r) {
                if (r.ok) { saved(); load(); } else notifyServer(r);
              }).catch(function () { /* expired */ });
            });
            li.appendChild(revoke);
          } else {
            li.appendChild(tx("span", "dicabut", "revoked", { className: "tag" }));
          }
          list.appendChild(li);
        });
        relabel();
      }).catch(function () { /* expired */ });
    }
    node.appendChild(smallForm("key-form", ["Kunci baru", "New key"], [
      field("client_name", "Nama klien", "Client name", input("client_name")),
      field("contact", "Kontak (opsional)", "Contact (optional)", input("contact"))
    ], ["Buat kunci", "Create the key"], function (f) {
      return staff("staff/open311/keys", { method: "POST", body: { client_name: value(f.client_name) || "", contact: value(f.contact) } });
    }, function (data) {
      shown.textContent = "";
      shown.appendChild(tx("span", "Kunci ini hanya ditampilkan sekali, simpan sekarang: ", "This key is shown once only, keep it now: "));
      shown.appendChild(el("code", { className: "mono", id: "new-key", text: data.api_key }));
      shown.hidden = false;
      load();
    }));
    load();
    return node;
  }

  // ---- router ---------------------------------------------------------------------------------
  function route() {
    var view = document.getElementById("view");
    clearNotice();
    if (!live()) { showSignin(false); return; }
    if (!state.me) { signedIn(); return; }
    var hash = location.hash || "#/queue";
    state.rendered = location.hash;
    view.textContent = "";
    document.querySelectorAll("#console-nav a").forEach(function (a) {
      if (hash.indexOf("#/" + a.getAttribute("data-route")) === 0) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    var turn = ++routeTurn;
    reference().then(function () {
      if (turn !== routeTurn) return; // the user moved on while the data loaded
      var match = /^#\/reports\/([0-9A-Za-z]{4}-[0-9A-Za-z]{4})$/.exec(hash);
      if (match) renderReport(view, match[1].toUpperCase());
      else if (hash.indexOf("#/new") === 0) renderNew(view);
      else if (hash.indexOf("#/stats") === 0) renderStats(view);
      else if (hash.indexOf("#/admin") === 0) renderAdmin(view);
      else renderQueue(view);
      relabel();
      var h1 = view.querySelector("h1");
      if (h1 && !match) h1.focus();
    });
  }
  var routeTurn = 0;

  function start() {
    // A short link from an SMS (console?r=XXXX-XXXX) becomes the report's page.
    var r = new URLSearchParams(location.search).get("r");
    if (r && TID.test(r.toUpperCase())) {
      history.replaceState(null, "", "console#/reports/" + r.toUpperCase());
    }
    document.getElementById("signin-form").addEventListener("submit", onSignin);
    document.getElementById("sign-out").addEventListener("click", signOut);
    window.addEventListener("hashchange", route);
    relabel();
    L.api("console/config.json").then(function (result) {
      state.config = result.data;
      loadSession();
      if (live()) { armTimer(); signedIn(); } else showSignin(false);
    }, function () {
      notify("error", "Konsol tidak dapat dimuat, periksa koneksi.", "The console could not load; check the connection.", true);
    });
  }
  start();
})();
