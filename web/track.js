/* The tracking page: look a report up, show where it stands, let its reporter answer. */
(function () {
  "use strict";

  var I = window.I18N;
  var L = window.Lapor;
  var $ = function (id) { return document.getElementById(id); };

  // The deadline(s) that run in each status (the others are finished or not started).
  var CURRENT_STAGES = {
    submitted: ["verification"],
    dispatched: ["agency_review", "completion"],
    assigned: ["first_response", "completion"],
    in_progress: ["completion"],
    awaiting_reporter: ["reporter_reply"],
    postponed: ["clarification"]
  };
  var STAGE_ORDER = ["verification", "agency_review", "first_response", "completion", "reporter_reply",
                     "clarification", "ombudsman_referral"];
  var OFFICER_ACTIONS = ["respond", "final_answer"];
  var CLOSED = ["completed", "archived"];

  var lookupErrors = new L.FieldErrors($("lookup-form"));
  var supportErrors = new L.FieldErrors($("dukung"));
  // The support box (issue 14): its last message, the contact a code went to, and whether it counted.
  var supportState = { message: null, error: null, contact: null, done: false };
  var replyErrors = new L.FieldErrors($("reply-form"));
  var uploadErrors = new L.FieldErrors($("add-files"));
  var current = { view: null, attachments: [], trackingId: null, code: null };
  var lookupMessage = null;
  var replyMessage = null;
  var replyOk = false;

  function normaliseTid(text) {
    var cleaned = String(text || "").replace(/[\s-]/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
    if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(cleaned)) return null;
    return cleaned.slice(0, 4) + "-" + cleaned.slice(4);
  }

  function codeHeaders() {
    return current.code ? { "X-Access-Code": current.code } : {};
  }

  // ---- lookup -----------------------------------------------------------------------------------
  function showLookupMessage(message) {
    lookupMessage = message;
    var box = $("lookup-error");
    box.textContent = message ? message() : "";
    box.hidden = !message;
  }

  function lookup(event) {
    if (event) event.preventDefault();
    lookupErrors.clear();
    showLookupMessage(null);
    var tid = normaliseTid($("tid").value);
    if (!tid) {
      lookupErrors.add("tracking_id", function () { return I.t("err.tid"); });
      lookupErrors.render();
      $("tid").focus();
      return;
    }
    current.trackingId = tid;
    $("tid").value = tid;
    current.code = $("code").value.trim().toUpperCase() || null;
    $("lookup-status").textContent = I.t("status.loading");
    $("lookup-submit").disabled = true;
    load().then(function (ok) {
      $("lookup-submit").disabled = false;
      $("lookup-status").textContent = ok ? I.t("status.found") : "";
      if (ok && window.location.hash === "#dukung" && !$("dukung").hidden) {
        $("dukung").focus();  // arrived from "Dukung laporan ini" (the form's suggestion box)
      } else if (ok) {
        $("report").focus();
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", "track?id=" + encodeURIComponent(tid) + window.location.hash);
        }
      }
    });
  }

  function load() {
    var path = "reports/" + encodeURIComponent(current.trackingId);
    return L.api(path, { headers: codeHeaders() }).then(function (result) {
      if (!result.ok) {
        $("report").hidden = true;
        // A wrong code answers the same 404 as an unknown number (nothing tells one from the other).
        if (current.code && (result.status === 404 || result.status === 429)) {
          lookupErrors.add("access_code", function () { return L.messageOf(result); });
          lookupErrors.render();
          $("code").focus();
        } else if (result.status === 404) {
          showLookupMessage(function () { return L.messageOf(result) + ". " + I.t("err.not_found_hint"); });
        } else {
          showLookupMessage(function () { return L.messageOf(result); });
        }
        return false;
      }
      current.view = result.data;
      render();
      return loadAttachments().then(function () { return true; });
    }, function () {
      showLookupMessage(function () { return I.t("err.network_short"); });
      return false;
    });
  }

  function loadAttachments() {
    var path = "reports/" + encodeURIComponent(current.trackingId) + "/attachments";
    return L.api(path, { headers: codeHeaders() }).then(function (result) {
      current.attachments = result.ok ? result.data.attachments || [] : [];
      renderAttachments();
    }, function () {
      current.attachments = [];
      renderAttachments();
    });
  }

  function isReporter() {
    return Boolean(current.view && Object.prototype.hasOwnProperty.call(current.view, "awaiting_reporter"));
  }

  // ---- rendering ----------------------------------------------------------------------------------
  function text(id, value) { $(id).textContent = value; }

  function labelOf(pair) {
    if (!pair) return "";
    return I.lang() === "en" ? pair.en : pair.id;
  }

  function render() {
    var v = current.view;
    if (!v) return;
    $("report").hidden = false;
    text("r-tid", v.tracking_id);
    text("report-title", v.title);
    var status = $("r-status");
    status.textContent = labelOf(v.status_label);
    status.className = "badge badge-" + v.status;
    $("r-overdue").hidden = !v.overdue;
    $("r-overdue-note").hidden = !v.overdue;
    $("r-confidential").hidden = !v.confidential;
    text("r-kind", I.t("kind." + v.kind));
    text("r-received", L.formatDateTime(v.received_at));
    text("r-occurred", v.occurred_on ? L.formatDate(v.occurred_on) : I.t("none"));
    var loc = v.location || {};
    text("r-location", [loc.address, loc.regency_name, loc.province_name].filter(Boolean).join(", ") || I.t("none"));
    var handler = [v.agency && v.agency.name, v.unit && v.unit.name].filter(Boolean).join(" — ");
    text("r-agency", handler || I.t("track.not_set"));
    var category = v.category ? (I.lang() === "en" && v.category.name_en ? v.category.name_en : v.category.name) : null;
    text("r-category", category || I.t("none"));
    $("r-rating-row").hidden = !v.rating;
    text("r-rating", v.rating ? I.t("track.rating_value", { n: v.rating }) : "");
    text("r-description", v.description);
    renderDeadlines(v);
    renderTimeline(v);
    renderAnswers(v);
    renderReplyBox(v);
    renderAttachments();
    renderLinks(v);
    renderSupport(v);
  }

  // ---- support ("dukung") and duplicate links ------------------------------------------------------
  function trackLink(id) {
    return L.el("a", { href: "track?id=" + encodeURIComponent(id), text: id });
  }

  function renderLinks(v) {
    var of = $("r-duplicate-of");
    of.textContent = "";
    of.hidden = !v.duplicate_of;
    if (v.duplicate_of) {
      of.appendChild(document.createTextNode(I.t("support.duplicate_of") + " "));
      of.appendChild(trackLink(v.duplicate_of));
    }
    var dups = $("r-duplicates");
    dups.textContent = "";
    var ids = v.duplicates || [];
    dups.hidden = !ids.length;
    if (ids.length) {
      dups.appendChild(document.createTextNode(I.t("support.duplicates") + " "));
      ids.forEach(function (id, i) {
        if (i) dups.appendChild(document.createTextNode(", "));
        dups.appendChild(trackLink(id));
      });
    }
    text("r-supporters", I.t("support.count", { n: v.supporter_count || 0 }));
  }

  function supportable(v) {
    return !isReporter() && CLOSED.indexOf(v.status) < 0 && !v.duplicate_of && v.status !== "submitted" &&
      v.status !== "postponed";
  }

  function renderSupport(v) {
    var section = $("dukung");
    section.hidden = !supportable(v) && !supportState.done;
    $("support-form").hidden = Boolean(supportState.contact) || supportState.done;
    $("support-code-form").hidden = !supportState.contact || supportState.done;
    var ok = $("support-success");
    ok.textContent = supportState.message ? I.t(supportState.message) : "";
    ok.hidden = !supportState.message;
    var bad = $("support-error");
    bad.textContent = supportState.error ? supportState.error() : "";
    bad.hidden = !supportState.error;
  }

  function contactBody(raw) {
    var value = raw.trim();
    if (!value) return {};
    if (value.indexOf("@") >= 0) return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? { email: value } : null;
    return /^[+0-9][0-9 ()-]{6,}$/.test(value) ? { phone: value } : null;
  }

  function supportPath(suffix) {
    return "reports/" + encodeURIComponent(current.trackingId) + "/supports" + (suffix || "");
  }

  function supportAnswer(result) {
    if (!result.ok) {
      supportErrors.addServer(L.errorOf(result).fields);
      supportErrors.render();
      supportState.error = function () { return L.messageOf(result); };
      renderSupport(current.view);
      var first = L.firstInvalid($("dukung"));
      (first || $("support-error")).focus();
      return;
    }
    supportState.error = null;
    if (result.status === 202) {
      supportState.message = result.data.channel === "sms" ? "support.sent_sms" : "support.sent_email";
      renderSupport(current.view);
      $("support-code").focus();
      return;
    }
    supportState.done = true;
    supportState.message = result.status === 200 ? "support.already" : "support.counted";
    supportState.contact = null;
    current.view.supporter_count = result.data.supporter_count;
    render();
    $("support-success").focus();
  }

  function sendSupport(event) {
    event.preventDefault();
    supportErrors.clear();
    supportState.error = null;
    var body = contactBody($("support-contact").value);
    if (body === null) {
      supportErrors.add("contact", function () { return I.t("err.support_contact"); });
      supportErrors.render();
      $("support-contact").focus();
      return;
    }
    postSupport("", body, $("support-submit"), function (result) {
      if (result.status === 202) supportState.contact = body;
    });
  }

  function postSupport(suffix, body, button, before) {
    button.disabled = true;
    L.api(supportPath(suffix), { method: "POST", body: body }).then(function (result) {
      button.disabled = false;
      if (before) before(result);
      supportAnswer(result);
    }, function () {
      button.disabled = false;
      supportState.error = function () { return I.t("err.network_short"); };
      renderSupport(current.view);
    });
  }

  function sendCode(event) {
    event.preventDefault();
    supportErrors.clear();
    var code = $("support-code").value.replace(/\s/g, "");
    if (!/^[0-9]{6}$/.test(code)) {
      supportErrors.add("code", function () { return I.t("err.support_code"); });
      supportErrors.render();
      $("support-code").focus();
      return;
    }
    postSupport("/verify", Object.assign({ code: code }, supportState.contact), $("support-code-submit"));
  }

  function renderDeadlines(v) {
    var list = $("r-deadlines");
    list.textContent = "";
    var running = CLOSED.indexOf(v.status) >= 0 ? [] : CURRENT_STAGES[v.status] || [];
    var today = L.todayWib();
    STAGE_ORDER.filter(function (s) { return v.deadlines && v.deadlines[s]; }).forEach(function (stage) {
      var date = v.deadlines[stage];
      var isCurrent = running.indexOf(stage) >= 0;
      var late = isCurrent && v.overdue && date < today;
      var marks = [];
      if (isCurrent) marks.push(L.el("span", { className: "tag", text: I.t("track.current") }));
      if (late) marks.push(L.el("span", { className: "tag tag-late", text: I.t("track.late") }));
      list.appendChild(L.el("li", { className: isCurrent ? "deadline current" : "deadline" }, [
        L.el("span", { className: "deadline-stage", text: I.t("stage." + stage) }),
        L.el("span", { className: "deadline-date", text: I.t("track.due", { date: L.formatDate(date) }) })
      ].concat(marks)));
    });
  }

  function renderTimeline(v) {
    var list = $("r-timeline");
    list.textContent = "";
    (v.timeline || []).slice().reverse().forEach(function (item) {
      var officer = OFFICER_ACTIONS.indexOf(item.action) >= 0;
      var children = [
        L.el("p", { className: "timeline-when", text: L.formatDateTime(item.at) }),
        L.el("p", { className: "timeline-what", text: I.t("action." + item.action) === "action." + item.action ? item.action : I.t("action." + item.action) }),
        L.el("p", { className: "timeline-status", text: labelOf(item.status_label) })
      ];
      if (item.message) children.push(L.el("p", { className: "timeline-message prewrap", text: item.message }));
      list.appendChild(L.el("li", { className: officer ? "officer" : "" }, children));
    });
  }

  function renderAnswers(v) {
    var answers = (v.timeline || []).filter(function (item) {
      return OFFICER_ACTIONS.indexOf(item.action) >= 0 && item.message;
    });
    var list = $("r-answers");
    list.textContent = "";
    answers.slice().reverse().forEach(function (item) {
      list.appendChild(L.el("li", {}, [
        L.el("p", { className: "answer-head", text: I.t("action." + item.action) }),
        L.el("p", { className: "answer-when", text: L.formatDateTime(item.at) }),
        L.el("p", { className: "answer-body prewrap", text: item.message })
      ]));
    });
    $("answers-section").hidden = !answers.length;
  }

  function replyMode(v) {
    if (!isReporter()) return null;
    if (v.status === "awaiting_reporter") return "awaiting";
    if (v.status === "postponed") return "postponed";
    if (v.status === "in_progress") return "in_progress";
    return null;
  }

  function renderReplyBox(v) {
    var mode = replyMode(v);
    var section = $("reply-section");
    section.hidden = !mode;
    if (!mode) return;
    text("reply-title", I.t("reply.title_" + mode));
    text("reply-intro", I.t("reply.intro_" + mode));
    var decision = (document.querySelector("input[name=decision]:checked") || {}).value;
    $("decision-group").hidden = mode !== "awaiting";
    $("rating-group").hidden = mode !== "awaiting" || decision !== "accept";
    var messageOptional = mode === "awaiting" && decision !== "reject";
    text("reply-message-label", I.t("reply.message_label"));
    text("reply-message-opt", I.t(messageOptional ? "reply.message_optional" : "reply.message_required"));
    $("reply-success").hidden = !replyOk;
    $("reply-success").textContent = replyOk ? I.t("status.reply_sent") : "";
    var box = $("reply-error");
    box.textContent = replyMessage ? replyMessage() : "";
    box.hidden = !replyMessage;
  }

  function renderAttachments() {
    var list = $("r-attachments");
    list.textContent = "";
    current.attachments.forEach(function (a) {
      list.appendChild(L.el("li", {}, [L.fileLink(a)]));
    });
    $("attachments-empty").hidden = current.attachments.length > 0;
    var v = current.view;
    $("add-files").hidden = !(v && isReporter() && CLOSED.indexOf(v.status) < 0 && current.attachments.length < 5);
  }

  // ---- the reporter's answer ----------------------------------------------------------------------
  function sendReply(event) {
    event.preventDefault();
    var v = current.view;
    var mode = replyMode(v);
    if (!mode) return;
    replyErrors.clear();
    replyMessage = null;
    replyOk = false;
    var message = $("reply-message").value.trim();
    var body = {};
    var decision = (document.querySelector("input[name=decision]:checked") || {}).value;
    var rating = (document.querySelector("input[name=rating]:checked") || {}).value;
    if (mode === "awaiting") {
      if (!decision) replyErrors.add("accept", function () { return I.t("err.decision"); });
      body.accept = decision === "accept";
      if (decision === "accept") {
        if (!rating) replyErrors.add("rating", function () { return I.t("err.rating"); });
        body.rating = Number(rating);
      } else if (decision === "reject" && !message) {
        replyErrors.add("message", function () { return I.t("err.message"); });
      }
    } else if (!message) {
      replyErrors.add("message", function () { return I.t("err.message"); });
    }
    if (message) body.message = message;
    if (replyErrors.any()) {
      replyErrors.render();
      L.firstInvalid($("reply-form")).focus();
      renderReplyBox(v);
      return;
    }
    $("reply-submit").disabled = true;
    var path = "reports/" + encodeURIComponent(current.trackingId) + "/replies";
    L.api(path, { method: "POST", headers: codeHeaders(), body: body }).then(function (result) {
      $("reply-submit").disabled = false;
      if (!result.ok) {
        replyErrors.addServer(L.errorOf(result).fields);
        replyErrors.render();
        replyMessage = function () { return L.messageOf(result); };
        renderReplyBox(current.view);
        return;
      }
      current.view = result.data;
      replyOk = true;
      $("reply-form").reset();
      render();
      $("reply-success").focus();
    }, function () {
      $("reply-submit").disabled = false;
      replyMessage = function () { return I.t("err.network_short"); };
      renderReplyBox(current.view);
    });
  }

  // ---- more attachments -------------------------------------------------------------------------
  function addFiles(event) {
    var files = Array.prototype.slice.call(event.target.files);
    event.target.value = "";
    uploadErrors.clear();
    var room = 5 - current.attachments.length;
    var list = $("upload-list");
    list.textContent = "";
    var chain = Promise.resolve();
    files.forEach(function (file, index) {
      var problem = L.fileProblem(file);
      if (problem || index >= room) {
        uploadErrors.add("file", function () { return problem ? I.t(problem, { file: file.name }) : I.t("err.too_many_files"); });
        return;
      }
      var status = L.el("span", { className: "file-state", text: I.t("status.uploading") });
      list.appendChild(L.el("li", {}, [L.el("span", { className: "file-name", text: file.name }), status]));
      chain = chain.then(function () {
        return L.uploadAttachment(current.trackingId, current.code, file).then(function () {
          status.className = "file-state ok";
          status.textContent = I.t("status.uploaded");
        }, function (error) {
          status.className = "file-state failed";
          status.textContent = I.t("status.upload_failed");
          uploadErrors.add("file", function () { return L.uploadErrorText(error, file); });
        });
      });
    });
    uploadErrors.render();
    chain.then(function () {
      uploadErrors.render();
      return loadAttachments();
    });
  }

  // ---- a lost access code ----------------------------------------------------------------------------
  // The server answers the same for any number (it never says whether a report or a contact
  // exists), so the page shows that one answer; the new code arrives by e-mail or SMS.
  var recoverErrors = new L.FieldErrors($("recover-form"));
  var recoverMessage = null;

  function showRecover(kind, message) {
    recoverMessage = message ? { kind: kind, message: message } : null;
    ["done", "error"].forEach(function (k) {
      var box = $("recover-" + k);
      box.hidden = !(message && k === kind);
      box.textContent = message && k === kind ? message() : "";
    });
  }

  function recover(event) {
    event.preventDefault();
    recoverErrors.clear();
    showRecover(null, null);
    var tid = normaliseTid($("recover-tid").value);
    if (!tid) {
      recoverErrors.add("recover_tracking_id", function () { return I.t("err.tid"); });
      recoverErrors.render();
      $("recover-tid").focus();
      return;
    }
    $("recover-tid").value = tid;
    $("recover-submit").disabled = true;
    var path = "reports/" + encodeURIComponent(tid) + "/access-code/recover";
    L.api(path, { method: "POST" }).then(function (result) {
      $("recover-submit").disabled = false;
      if (result.ok) {
        showRecover("done", function () { return I.t("recover.sent"); });
        try { window.sessionStorage.removeItem("lapor.code." + tid); } catch (e) { /* private mode */ }
        $("tid").value = tid;
        $("code").value = "";
      } else {
        showRecover("error", function () { return L.messageOf(result); });
      }
    }, function () {
      $("recover-submit").disabled = false;
      showRecover("error", function () { return I.t("err.network_short"); });
    });
  }

  $("recover").addEventListener("toggle", function () {
    if ($("recover").open && !$("recover-tid").value) $("recover-tid").value = $("tid").value;
  });
  $("recover-form").addEventListener("submit", recover);

  // ---- wiring -------------------------------------------------------------------------------------
  $("lookup-form").addEventListener("submit", lookup);
  $("reply-form").addEventListener("submit", sendReply);
  $("reply-form").addEventListener("change", function (event) {
    if (event.target.name === "decision") renderReplyBox(current.view);
  });
  $("more-files").addEventListener("change", addFiles);
  $("support-form").addEventListener("submit", sendSupport);
  $("support-code-form").addEventListener("submit", sendCode);
  L.counter($("reply-message"), $("reply-message-count"));
  I.onChange(function () {
    render();
    if (lookupMessage) showLookupMessage(lookupMessage);
    if (recoverMessage) showRecover(recoverMessage.kind, recoverMessage.message);
  });

  var params = new URLSearchParams(window.location.search);
  var initial = normaliseTid(params.get("id"));
  if (initial) {
    $("tid").value = initial;
    var remembered = null;
    try { remembered = window.sessionStorage.getItem("lapor.code." + initial); } catch (e) { remembered = null; }
    if (remembered) $("code").value = remembered;
    lookup();
  }
})();
