/* SGU: the little JavaScript the pages use. Everything works without it; it only adds
 * comfort. No inline scripts anywhere (a strict Content-Security-Policy is planned). */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // HTMX requests carry Django's CSRF token as a header (same-origin requests only).
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // With JavaScript, the "show the fields of this problem" button is not needed: HTMX
  // loads them as soon as the subcategory changes. Removed (not just hidden) so that Enter
  // in a text box submits the form with its main button.
  function hideNoJsControls(root) {
    if (!window.htmx) {
      return;
    }
    var nodes = (root || document).querySelectorAll("[data-nojs-only]");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].remove();
    }
  }

  // After a failed submission, take keyboard and screen-reader users to the error summary.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // Disable the submit button while a form is being sent (slow networks: no double posts).
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) {
      return;
    }
    var form = event.target;
    if (form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) {
      return;
    }
    var buttons = form.querySelectorAll("button[type=submit][data-busy-label]");
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      window.setTimeout(
        (function (button) {
          return function () {
            button.setAttribute("data-label", button.textContent);
            button.disabled = true;
            button.textContent = button.getAttribute("data-busy-label");
          };
        })(b),
        0
      );
    }
  });

  // "Imprimir" buttons (the constancia): the browser's print dialog.
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      window.print();
    }
  });

  // "Copiar" buttons next to a secret shown once (API key, webhook secret). Without
  // JavaScript they stay hidden and the text is selected and copied by hand.
  function setUpCopyButtons() {
    var buttons = document.querySelectorAll("[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
    }
  }

  function copied(button) {
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (status) {
      status.textContent = button.getAttribute("data-copied") + ".";
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    var text = source.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        copied(button);
      });
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (document.execCommand("copy")) {
      copied(button);
    }
  });

  // Coming back with the browser's back button (page cache): buttons usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    var buttons = document.querySelectorAll("button[data-busy-label]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = false;
      if (buttons[i].hasAttribute("data-label")) {
        buttons[i].textContent = buttons[i].getAttribute("data-label");
      }
    }
  });

  // The header menu: on a phone it folds behind «Menú»; on a wide screen one group's panel
  // is open at a time, and a click elsewhere or Escape closes it.
  function setUpMenu() {
    var toggle = document.querySelector("[data-menu-toggle]");
    if (toggle) {
      var nav = toggle.closest(".site-nav");
      nav.classList.add("site-nav--collapsible");
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("site-nav--open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    var groups = document.querySelectorAll("details[data-nav-group]");
    function closeOthers(except) {
      for (var i = 0; i < groups.length; i++) {
        if (groups[i] !== except) {
          groups[i].open = false;
        }
      }
    }
    for (var i = 0; i < groups.length; i++) {
      groups[i].addEventListener("toggle", function (event) {
        if (event.target.open) {
          closeOthers(event.target);
        }
      });
    }
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest("details[data-nav-group]")) {
        closeOthers(null);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      for (var i = 0; i < groups.length; i++) {
        if (groups[i].open) {
          groups[i].open = false;
          groups[i].querySelector("summary").focus();
        }
      }
    });
  }

  // The page is shown before its scripts run: on a slow phone a person may choose an
  // operator, a problem or a filter before HTMX listens, and that change would bring nothing
  // (nor would a value the browser restores on "back", or a report the app kept). Once
  // HTMX has set up the page, a control that no longer holds the value it was served with
  // announces its change again.
  function differsFromServed(control) {
    if (control.tagName === "SELECT") {
      for (var i = 0; i < control.options.length; i++) {
        var option = control.options[i];
        if (option.selected !== option.defaultSelected && (i > 0 || option.defaultSelected)) {
          return true;
        }
      }
      return false;
    }
    if (control.type === "checkbox" || control.type === "radio") {
      return control.checked !== control.defaultChecked;
    }
    return control.value !== control.defaultValue;
  }

  function replayEarlyChanges() {
    // Offline (the app's kept form), nothing could be brought: the report is kept as it is.
    if (!window.htmx || navigator.onLine === false) {
      return;
    }
    var listeners = document.querySelectorAll('[hx-trigger*="change"]');
    var replayed = [];
    for (var i = 0; i < listeners.length; i++) {
      // One request per form brings its whole state (the report form's two selects send
      // both values); a second would only arrive later and redraw what is being typed.
      var scope = listeners[i].closest("form") || listeners[i];
      if (replayed.indexOf(scope) !== -1) {
        continue;
      }
      var own = listeners[i].matches("select, input, textarea") ? [listeners[i]] : [];
      var controls = own.concat(
        Array.prototype.slice.call(listeners[i].querySelectorAll("select, input, textarea"))
      );
      for (var j = 0; j < controls.length; j++) {
        if (controls[j].type !== "hidden" && controls[j].type !== "file" && differsFromServed(controls[j])) {
          controls[j].dispatchEvent(new Event("change", { bubbles: true }));
          replayed.push(scope);
          break;
        }
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // HTMX sets the page up in its own DOMContentLoaded listener, registered before this
    // one (its script comes first); the early changes are replayed after it.
    setTimeout(replayEarlyChanges, 0);
    hideNoJsControls(document);
    focusErrorSummary();
    setUpMenu();
    setUpCopyButtons();
  });
  document.addEventListener("htmx:load", function (event) {
    hideNoJsControls(event.target);
  });
})();
