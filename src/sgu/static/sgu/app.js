/* SGU: the report form as an app that works with a poor connection.
 *
 * - Registers the service worker (/casos/sw.js), which keeps the app shell and this form.
 * - Keeps the report being written on the phone (localStorage), with an idempotency key
 *   generated when the report is started.
 * - Sends it with fetch; without a connection it stays on the phone, marked to be sent, and
 *   goes as soon as the connection returns (the `online` event, or the next time the form
 *   opens). The server honours the key: the same report is filed once, however many times it
 *   is sent (a reply lost on the way only means it is sent again and shown as filed).
 * - Marks the report as coming from the app (channel APP) when the page was opened by the
 *   installed app (its start_url carries ?canal=app, or it runs standalone).
 * Without JavaScript the form works as always. No inline script: the CSP stays strict. */
(function () {
  "use strict";

  var DRAFT = "sgu.report.draft.v1";
  var APP_FLAG = "sgu.app";
  var form = document.querySelector("form[data-report-form]");
  var status = document.querySelector("[data-draft-status]");
  if (!form) {
    return;
  }
  var sending = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/casos/sw.js", { scope: "/casos/" }).catch(function () {
      /* no worker (private mode, old browser): the form still works online */
    });
  }

  function storage(kind) {
    try {
      var s = window[kind];
      s.setItem("sgu.probe", "1");
      s.removeItem("sgu.probe");
      return s;
    } catch (e) {
      return null;
    }
  }
  var local = storage("localStorage");
  var session = storage("sessionStorage");

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function fromApp() {
    var standalone = window.matchMedia && window.matchMedia("(display-mode: standalone)").matches;
    if (/[?&]canal=app\b/i.test(window.location.search) || standalone) {
      if (session) {
        session.setItem(APP_FLAG, "1");
      }
      return true;
    }
    return !!(session && session.getItem(APP_FLAG));
  }

  function say(text, kind) {
    if (!status) {
      return;
    }
    status.hidden = !text;
    status.className = "notice" + (kind ? " notice--" + kind : "");
    status.textContent = text || "";
  }

  function fieldsOf() {
    var values = {};
    var elements = form.elements;
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      if (!el.name || el.type === "file" || el.type === "submit" || el.type === "button") {
        continue;
      }
      if (el.name === "csrfmiddlewaretoken" || el.name === "idempotency_key") {
        continue;
      }
      values[el.name] = el.value;
    }
    return values;
  }

  function load() {
    if (!local) {
      return null;
    }
    try {
      return JSON.parse(local.getItem(DRAFT) || "null");
    } catch (e) {
      return null;
    }
  }

  function save(draft) {
    if (local) {
      local.setItem(DRAFT, JSON.stringify(draft));
    }
  }

  function forget() {
    if (local) {
      local.removeItem(DRAFT);
    }
  }

  function setValue(name, value) {
    var el = form.elements.namedItem(name);
    if (el && el.type !== "file" && value !== undefined) {
      el.value = value;
    }
  }

  // The report being written: the one kept on the phone, or a new one with its own key.
  var draft = load();
  var remembered = {};
  var rerendered = form.querySelector("[data-error-summary]") !== null ||
    document.querySelector("[data-error-summary]") !== null;
  if (draft && !rerendered) {
    // Subcategory first: its extra fields come with it (HTMX) before their values are set.
    setValue("operator", draft.fields.operator);
    setValue("subcategory", draft.fields.subcategory);
    for (var name in draft.fields) {
      if (Object.prototype.hasOwnProperty.call(draft.fields, name)) {
        setValue(name, draft.fields[name]);
        remembered[name] = draft.fields[name];
      }
    }
  } else if (draft && rerendered) {
    draft.fields = fieldsOf();
    draft.pending = false;
  } else {
    draft = { key: newKey(), fields: fieldsOf(), pending: false };
  }
  form.elements.namedItem("idempotency_key").value = draft.key;
  if (fromApp()) {
    form.elements.namedItem("channel").value = "APP";
  }
  draft.channel = form.elements.namedItem("channel").value;

  function keep() {
    var now = fieldsOf();
    // Extra fields not on the page (they could not be loaded without a connection) keep
    // their values while the problem chosen is the same.
    if (draft.fields && now.subcategory === draft.fields.subcategory) {
      for (var name in draft.fields) {
        if (name.indexOf("fields.") === 0 && !(name in now)) {
          now[name] = draft.fields[name];
        }
      }
    }
    draft.fields = now;
    draft.savedAt = new Date().toISOString();
    save(draft);
  }
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  // Extra fields brought by HTMX: restore what the kept report says about them.
  document.body.addEventListener("htmx:afterSwap", function () {
    for (var name in remembered) {
      if (name.indexOf("fields.") === 0) {
        var el = form.elements.namedItem(name);
        if (el && !el.value) {
          el.value = remembered[name];
        }
      }
    }
    keep();
  });
  // The problem restored above brings its extra fields once HTMX listens: sgu.js announces
  // every choice that differs from the page as served (replayEarlyChanges).

  function hasFiles() {
    var files = form.querySelector("input[type=file]");
    return !!(files && files.files && files.files.length);
  }

  function freshToken() {
    // The form may come from the worker's copy: ask for a current CSRF token first.
    return fetch(form.action, { credentials: "same-origin", cache: "no-store" }).then(
      function (response) {
        if (response.redirected && response.url.indexOf(form.action) === -1) {
          throw new Error("login");
        }
        return response.text();
      }
    ).then(function (html) {
      var match = html.match(/name="csrf-token" content="([^"]+)"/);
      if (match) {
        form.elements.namedItem("csrfmiddlewaretoken").value = match[1];
      }
    });
  }

  function send() {
    if (sending || !draft.pending) {
      return;
    }
    sending = true;
    say("Enviando su reporte…", "");
    freshToken().then(function () {
      // What the phone kept, not only what is on the page (extra fields may be missing).
      var body = new FormData();
      for (var name in draft.fields) {
        if (Object.prototype.hasOwnProperty.call(draft.fields, name)) {
          body.append(name, draft.fields[name]);
        }
      }
      var files = form.querySelector("input[type=file]");
      if (files && files.files) {
        for (var i = 0; i < files.files.length; i++) {
          body.append(files.name, files.files[i]);
        }
      }
      body.set("csrfmiddlewaretoken", form.elements.namedItem("csrfmiddlewaretoken").value);
      body.set("idempotency_key", draft.key);
      body.set("channel", draft.channel || "");
      return fetch(form.action, { method: "POST", body: body, credentials: "same-origin" });
    }).then(function (response) {
      var path = new URL(response.url).pathname;
      var formPath = new URL(form.action).pathname;
      if (response.ok && response.redirected && path.indexOf("/casos/") === 0 &&
          path !== formPath) {
        // Filed (now, or already before with this key): show the case's page as received
        // (it carries the one-time message saying which).
        forget();
        return response.text().then(function (html) {
          window.history.replaceState(null, "", response.url);
          document.open();
          document.write(html);
          document.close();
        });
      }
      sending = false;
      // Refused (a datum to fix): nothing was filed; show the server's page as usual.
      draft.pending = false;
      save(draft);
      form.submit();
    }).catch(function (error) {
      sending = false;
      if (error && error.message === "login") {
        say("Su reporte está guardado en este teléfono. Ingrese de nuevo a su cuenta para enviarlo.", "warning");
        return;
      }
      say("Sin conexión: guardamos su reporte en este teléfono y lo enviaremos apenas vuelva la conexión, una sola vez.", "warning");
    });
  }

  form.addEventListener("submit", function (event) {
    keep();
    if (hasFiles() && navigator.onLine) {
      // Files go with the form as usual (they are not kept on the phone).
      forget();
      return;
    }
    event.preventDefault();
    draft.pending = true;
    save(draft);
    if (navigator.onLine) {
      send();
    } else {
      say("Sin conexión: guardamos su reporte en este teléfono y lo enviaremos apenas vuelva la conexión, una sola vez.", "warning");
    }
  });

  window.addEventListener("online", send);
  if (draft.pending) {
    if (navigator.onLine) {
      send();
    } else {
      say("Su reporte está guardado en este teléfono: lo enviaremos apenas vuelva la conexión.", "warning");
    }
  }
})();
